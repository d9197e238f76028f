//! Stores the rule book's catalogue (`src/explain/families/catalogue.rs`) LZ4-compressed in
//! `$OUT_DIR/families.lz4`, read back by `explain::families::families`: each field of each
//! family in order, ended by U+001E, list items separated by U+001F.

use std::path::PathBuf;

/// The catalogue's shape, as `src/explain/families.rs` declares it.
struct Family {
    id: &'static str,
    title: &'static str,
    patterns: &'static [&'static str],
    hints: &'static [&'static str],
    symptom: bool,
    cause: &'static str,
    fix: &'static str,
    commands: &'static [&'static str],
}

const FAMILIES: &[Family] = include!("src/explain/families/catalogue.rs");

const FIELD_END: char = '\u{1e}';
const ITEM_SEPARATOR: char = '\u{1f}';

fn main() {
    println!("cargo:rerun-if-changed=src/explain/families/catalogue.rs");
    let mut text = String::new();
    let mut field = |value: &str| {
        text.push_str(value);
        text.push(FIELD_END);
    };
    for family in FAMILIES {
        let texts = [family.id, family.title, family.cause, family.fix];
        for value in texts.iter().chain(family.patterns).chain(family.hints).chain(family.commands) {
            assert!(!value.is_empty(), "an empty text in the catalogue");
            assert!(!value.contains([FIELD_END, ITEM_SEPARATOR]), "a catalogue text holds a separator: {value:?}");
        }
        field(family.id);
        field(family.title);
        field(&family.patterns.join(&ITEM_SEPARATOR.to_string()));
        field(&family.hints.join(&ITEM_SEPARATOR.to_string()));
        field(if family.symptom { "1" } else { "0" });
        field(family.cause);
        field(family.fix);
        field(&family.commands.join(&ITEM_SEPARATOR.to_string()));
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let compressed = lz4_flex::compress_prepend_size(text.as_bytes());
    std::fs::write(out.join("families.lz4"), compressed).expect("OUT_DIR is writable");
}
