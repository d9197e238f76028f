//! Drain-style template mining: messages are masked ([`super::mask`]), then routed by token
//! count and their first tokens (a fixed-depth parse tree) to a few candidate templates; the
//! most similar one above a threshold absorbs the message, turning the tokens that differ
//! into `<*>`, otherwise the message starts a new template.
//!
//! The miner is incremental and deterministic: the same messages in the same order give the
//! same templates. It serialises as its templates and options; the tree is rebuilt on load.

use super::mask::{self, WILDCARD};
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Miner settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MinerOptions {
    /// Share of positions that must match for a message to join a template, in (0, 1].
    #[serde(default = "default_similarity")]
    pub similarity: f64,
    /// Leading tokens that route a message in the tree (the tree depth minus the length level).
    #[serde(default = "default_prefix")]
    pub prefix_tokens: usize,
}

fn default_similarity() -> f64 {
    0.6
}

fn default_prefix() -> usize {
    1
}

impl Default for MinerOptions {
    fn default() -> Self {
        Self { similarity: default_similarity(), prefix_tokens: default_prefix() }
    }
}

impl MinerOptions {
    /// Fails on a similarity outside (0, 1] or a prefix over 8 tokens.
    pub fn validate(&self) -> Result<()> {
        if !(self.similarity > 0.0 && self.similarity <= 1.0) {
            return Err(Error::in_field(ErrorCode::InvalidOption, "options.similarity", "must be in (0, 1]"));
        }
        if self.prefix_tokens > 8 {
            return Err(Error::in_field(ErrorCode::InvalidOption, "options.prefix_tokens", "must be at most 8"));
        }
        Ok(())
    }
}

/// A mined template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Index of the template in the miner, stable for its life.
    pub id: usize,
    /// Tokens, `<*>` where the messages vary.
    pub tokens: Vec<String>,
    /// Messages it absorbed.
    pub count: u64,
    /// Sequence number (0-based, over all messages the miner saw) of its first message.
    pub first_seen: u64,
    /// Sequence number of its latest message.
    pub last_seen: u64,
    /// For each position that turned into a variable from plain words, the few words seen
    /// there (`None` once a number was seen there or more than [`MAX_WORDS`] words).
    #[serde(default)]
    pub words: Vec<Option<Vec<String>>>,
}

/// Templates of one tree leaf compared with a message, oldest first: keeps mining linear when
/// a log is mostly unrelated lines of one length and first word.
pub const MAX_CANDIDATES: usize = 256;

/// A variable position with at most this many distinct plain words is a choice between a few
/// literals (`startup`/`shutdown`), not a value: [`Miner::group`] keeps the word.
pub const MAX_WORDS: usize = 3;

impl Template {
    /// The template as text, tokens joined by one space.
    pub fn text(&self) -> String {
        self.tokens.join(" ")
    }

    /// The text of a message at each of this template's variable tokens (`16.0 KB` for a
    /// size); empty when the message does not have the template's shape.
    pub fn parameters<'a>(&self, message: &'a str) -> Vec<&'a str> {
        let raw = mask::raw_tokens(message);
        if raw.len() != self.tokens.len() {
            return Vec::new();
        }
        self.tokens.iter().zip(raw).filter(|(t, _)| mask::has_wildcard(t)).map(|(_, r)| r).collect()
    }
}

/// The template miner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Miner {
    options: MinerOptions,
    templates: Vec<Template>,
    seen: u64,
    #[serde(skip)]
    tree: HashMap<u64, Vec<usize>, BuildHasherDefault<Prehashed>>,
}

impl Miner {
    /// An empty miner; fails on invalid options.
    pub fn new(options: MinerOptions) -> Result<Self> {
        options.validate()?;
        Ok(Self { options, ..Self::default() })
    }

    /// The templates, by id.
    pub fn templates(&self) -> &[Template] {
        &self.templates
    }

    /// Messages seen so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Rebuilds the routing tree after deserialisation.
    pub fn reindex(&mut self) {
        self.tree.clear();
        for t in &self.templates {
            let key = self.route(&t.tokens);
            self.tree.entry(key).or_default().push(t.id);
        }
    }

    /// Adds one message; returns the id of the template it joined or started.
    ///
    /// ```
    /// use corridor_core::logs::drain::{Miner, MinerOptions};
    /// let mut m = Miner::new(MinerOptions::default()).unwrap();
    /// m.add("user alice logged in from 10.0.0.1");
    /// let id = m.add("user bob logged in from 10.0.0.2");
    /// assert_eq!(m.templates()[id].text(), "user <*> logged in from <*>");
    /// ```
    pub fn add(&mut self, message: &str) -> usize {
        let views = mask::tokens(message);
        let seq = self.seen;
        self.seen += 1;
        let key = self.route(&views);
        let best = self.tree.get(&key).and_then(|ids| self.best(ids, &views));
        match best {
            Some(id) => {
                let t = &mut self.templates[id];
                for (k, token) in views.iter().enumerate() {
                    let (slot, token) = (&mut t.tokens[k], token.as_ref());
                    if slot != token && slot != WILDCARD && !slot.ends_with("=<*>") {
                        let plain = !mask::has_wildcard(slot) && !mask::has_wildcard(token);
                        t.words[k] = plain.then(|| vec![slot.clone(), token.to_string()]);
                        *slot = generalise(slot, token);
                    } else if let Some(words) = &mut t.words[k] {
                        if mask::has_wildcard(token) {
                            t.words[k] = None;
                        } else if !words.iter().any(|w| w == token) {
                            words.push(token.to_string());
                            if words.len() > MAX_WORDS {
                                t.words[k] = None;
                            }
                        }
                    }
                }
                t.count += 1;
                t.last_seen = seq;
                id
            }
            None => {
                let id = self.templates.len();
                let tokens = views.iter().map(|t| t.to_string()).collect();
                let words = vec![None; views.len()];
                self.templates.push(Template { id, tokens, count: 1, first_seen: seq, last_seen: seq, words });
                self.tree.entry(key).or_default().push(id);
                id
            }
        }
    }

    /// The group of a message of template `id`, as text: the template with the message's word
    /// at each position that only ever held a few plain words (see [`MAX_WORDS`]).
    ///
    /// ```
    /// use corridor_core::logs::drain::{Miner, MinerOptions};
    /// let mut m = Miner::new(MinerOptions::default()).unwrap();
    /// let id = m.add("cupsd startup succeeded");
    /// m.add("cupsd shutdown succeeded");
    /// assert_eq!(m.templates()[id].text(), "cupsd <*> succeeded");
    /// assert_eq!(m.group(id, "cupsd startup succeeded"), "cupsd startup succeeded");
    /// ```
    pub fn group(&self, id: usize, message: &str) -> String {
        let Some(t) = self.templates.get(id) else { return String::new() };
        let tokens = mask::tokens(message);
        if tokens.len() != t.tokens.len() {
            return t.text();
        }
        let parts: Vec<&str> = t
            .tokens
            .iter()
            .zip(&t.words)
            .zip(&tokens)
            .map(|((slot, words), token)| if words.is_some() { token.as_ref() } else { slot.as_str() })
            .collect();
        parts.join(" ")
    }

    /// The template a message would join, without learning; `None` if it would start one.
    pub fn find(&self, message: &str) -> Option<usize> {
        let tokens = mask::tokens(message);
        self.tree.get(&self.route(&tokens)).and_then(|ids| self.best(ids, &tokens))
    }

    /// The leaf of the tree: token count and the leading tokens (variables as `<*>`).
    fn route<T: AsRef<str>>(&self, tokens: &[T]) -> u64 {
        let mut h = Fnv::new();
        h.write(&tokens.len().to_le_bytes());
        for t in tokens.iter().take(self.options.prefix_tokens).map(AsRef::as_ref) {
            h.write(if mask::has_wildcard(t) { WILDCARD.as_bytes() } else { t.as_bytes() });
            h.write(&[0xff]);
        }
        h.0
    }

    /// The most similar template of a leaf (among its [`MAX_CANDIDATES`] oldest), if similar
    /// enough; ties go to the oldest. Similarity
    /// is the share of equal tokens among the positions that are not variables on both sides.
    fn best<T: AsRef<str>>(&self, ids: &[usize], tokens: &[T]) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for &id in ids.iter().take(MAX_CANDIDATES) {
            let t = &self.templates[id];
            if t.tokens.len() != tokens.len() {
                continue;
            }
            let (mut same, mut both_wild) = (0, 0);
            for (a, b) in t.tokens.iter().zip(tokens) {
                if a == b.as_ref() {
                    if mask::has_wildcard(a) {
                        both_wild += 1;
                    } else {
                        same += 1;
                    }
                }
            }
            let literal = tokens.len() - both_wild;
            let score = if literal == 0 { 1.0 } else { same as f64 / literal as f64 };
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((id, score));
            }
        }
        let (id, score) = best?;
        (score >= self.options.similarity).then_some(id)
    }
}

/// The common form of two different tokens: `key=<*>` when they share a `key=`, else `<*>`.
fn generalise(a: &str, b: &str) -> String {
    match (a.split_once('='), b.split_once('=')) {
        (Some((ka, _)), Some((kb, _))) if ka == kb && !ka.is_empty() => format!("{ka}={WILDCARD}"),
        _ => WILDCARD.to_string(),
    }
}

/// Hasher of the tree's keys, which are hashes already: keeps the `u64` as it is.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// FNV-1a, a small fixed hash so routing is the same on every platform.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_keeps_matching() {
        let mut m = Miner::new(MinerOptions::default()).unwrap();
        m.add("Connection from 10.0.0.1 closed");
        m.add("Disk sda full");
        let json = serde_json::to_string(&m).unwrap();
        let mut back: Miner = serde_json::from_str(&json).unwrap();
        back.reindex();
        assert_eq!(back.find("Connection from 10.0.0.9 closed"), Some(0));
        assert_eq!(back.add("Disk sdb full"), 1);
        assert_eq!(back.templates()[1].text(), "Disk <*> full");
        assert_eq!(back.templates()[1].parameters("Disk sdb full"), vec!["sdb"]);
        assert!(Miner::new(MinerOptions { similarity: 0.0, prefix_tokens: 1 }).is_err());
    }
}
