//! The rule book's catalogue: common failure signatures, each with what it means, how to fix
//! it and the commands a person may run (never run by Corridor).
//!
//! Patterns are lower-case substrings matched on lower-cased log lines, alert names and
//! annotations. `{target}` in texts is the `host:port` (or host) named by the best evidence
//! line, `{port}` its port, `{what}` what usually listens there, `{service}` the service the
//! evidence came from.
//!
//! The catalogue is written in `families/catalogue.rs`; `build.rs` stores it LZ4-compressed
//! (its 26 KB of text take 14 KB; deflate takes 9 KB, but its inflater costs more than that
//! saves) and [`families`] decompresses it once, on first use.

use std::sync::OnceLock;

/// One failure signature.
#[derive(Debug)]
pub struct Family {
    /// Stable id, snake_case.
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Substrings that name this failure (each distinct match weighs 3).
    pub patterns: &'static [&'static str],
    /// Substrings that hint at it (each weighs 1).
    pub hints: &'static [&'static str],
    /// Whether this failure is usually a symptom of another (its matches weigh half).
    pub symptom: bool,
    /// What is going on.
    pub cause: &'static str,
    /// What to check and fix.
    pub fix: &'static str,
    /// Commands to run, after a person approves them.
    pub commands: &'static [&'static str],
}

/// The catalogue as `build.rs` stored it: LZ4-compressed fields, each ended by [`FIELD_END`].
const COMPRESSED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/families.lz4"));
/// Ends each field in the stored catalogue.
const FIELD_END: char = '\u{1e}';
/// Separates the items of a list field.
const ITEM_SEPARATOR: char = '\u{1f}';

/// Every signature the rule book knows, in catalogue order.
pub fn families() -> &'static [Family] {
    static CATALOGUE: OnceLock<Vec<Family>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let bytes = lz4_flex::decompress_size_prepended(COMPRESSED).expect("build.rs stores a valid LZ4 block");
        let text = String::leak(String::from_utf8(bytes).expect("build.rs stores UTF-8 text"));
        let fields: Vec<&'static str> = text.split_terminator(FIELD_END).collect();
        fields
            .chunks_exact(8)
            .map(|f| Family {
                id: f[0],
                title: f[1],
                patterns: list(f[2]),
                hints: list(f[3]),
                symptom: f[4] == "1",
                cause: f[5],
                fix: f[6],
                commands: list(f[7]),
            })
            .collect()
    })
}

/// The items of a stored list field.
fn list(field: &'static str) -> &'static [&'static str] {
    if field.is_empty() {
        &[]
    } else {
        Vec::leak(field.split(ITEM_SEPARATOR).collect())
    }
}
