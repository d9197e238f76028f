//! Reading a model's answer into an [`Explanation`]: a JSON object when the model kept to it,
//! else markdown sections, else the text as it is. Every field is capped, so a huge answer
//! stays a bounded one.

use super::{Command, Explanation, Source};
use serde_json::Value;

/// Longest text field kept, in characters.
pub const MAX_FIELD_CHARS: usize = 4000;

/// Most evidence items or commands kept.
pub const MAX_ITEMS: usize = 20;

/// The explanation in a model's answer text.
pub fn parse_answer(text: &str) -> Explanation {
    json_answer(text).or_else(|| sections_answer(text)).unwrap_or_else(|| plain_answer(text))
}

/// The first-`{`-to-last-`}` JSON object of the text (fences and chatter around it are fine).
fn json_answer(text: &str) -> Option<Explanation> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    let value: Value = crate::decode::from_str(text.get(start..=end)?).ok()?;
    let field = |names: &[&str]| names.iter().find_map(|n| value.get(*n)).map(value_text).unwrap_or_default();
    let summary = field(&["summary"]);
    let probable_cause = field(&["probable_cause", "cause", "root_cause"]);
    if summary.is_empty() && probable_cause.is_empty() {
        return None;
    }
    let list = |names: &[&str]| names.iter().find_map(|n| value.get(*n)).map(value_list).unwrap_or_default();
    let confidence = value.get("confidence").map_or(0.5, confidence_of);
    Some(bounded(Explanation {
        source: Source::Llm,
        family: None,
        summary,
        probable_cause,
        evidence: list(&["evidence", "key_findings"]),
        suggested_fix: field(&["suggested_fix", "fix", "next_steps"]),
        commands: list(&["commands"]).into_iter().map(Command::new).collect(),
        confidence,
        alternatives: Vec::new(),
    }))
}

/// A JSON value as text: strings as they are, arrays joined by lines, the rest as JSON.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_string(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join("\n"),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A JSON value as a list of texts; objects give their `command` or `text` field.
fn value_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Object(o) => {
                    o.get("command").or_else(|| o.get("text")).map_or_else(|| item.to_string(), value_text)
                }
                other => value_text(other),
            })
            .filter(|s| !s.is_empty())
            .collect(),
        Value::Null => Vec::new(),
        other => vec![value_text(other)],
    }
}

/// A confidence in [0, 1] from a number (0–1 or a percentage) or a word.
fn confidence_of(value: &Value) -> f64 {
    let number = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "high" => Some(0.8),
            "medium" => Some(0.5),
            "low" => Some(0.2),
            other => crate::number::parse_f64(other.trim_end_matches('%')),
        },
        _ => None,
    };
    match number {
        Some(x) if x.is_finite() && x > 1.0 => (x / 100.0).clamp(0.0, 1.0),
        Some(x) if x.is_finite() => x.clamp(0.0, 1.0),
        _ => 0.5,
    }
}

/// Which field a markdown heading names.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Summary,
    Cause,
    Evidence,
    Fix,
    Commands,
}

fn heading_part(line: &str) -> Option<Part> {
    let t = line.trim();
    let is_heading =
        t.starts_with('#') || (t.starts_with("**") && t.ends_with("**")) || (t.ends_with(':') && t.len() < 40);
    if !is_heading {
        return None;
    }
    let name = t.trim_matches(|c: char| c == '#' || c == '*' || c == ':' || c.is_whitespace()).to_ascii_lowercase();
    let parts = [
        (Part::Commands, &["command"][..]),
        (Part::Fix, &["fix", "next step", "remediation", "recommend", "action"][..]),
        (Part::Cause, &["cause", "conclusion"][..]),
        (Part::Evidence, &["evidence", "finding"][..]),
        (Part::Summary, &["summary", "explanation", "overview"][..]),
    ];
    parts.iter().find(|(_, words)| words.iter().any(|w| name.contains(w))).map(|(p, _)| *p)
}

/// Markdown sections (`## Probable cause`, `**Suggested fix**`, `Commands:`); `None` when
/// there is no cause or fix section.
fn sections_answer(text: &str) -> Option<Explanation> {
    let mut parts: Vec<(Part, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(part) = heading_part(line) {
            parts.push((part, Vec::new()));
        } else if let Some((_, lines)) = parts.last_mut() {
            lines.push(line.to_string());
        }
    }
    let text_of = |part: Part| {
        parts.iter().filter(|(p, _)| *p == part).flat_map(|(_, l)| l.iter()).map(|l| l.trim()).collect::<Vec<_>>()
    };
    let joined = |part: Part| {
        text_of(part).into_iter().filter(|l| !l.starts_with("```")).collect::<Vec<_>>().join("\n").trim().to_string()
    };
    let items = |part: Part| {
        text_of(part)
            .into_iter()
            .filter(|l| !l.is_empty() && !l.starts_with("```"))
            .map(|l| l.trim_start_matches(['-', '*', '•', ' ']).trim_matches('`').trim().to_string())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
    };
    let probable_cause = joined(Part::Cause);
    let suggested_fix = joined(Part::Fix);
    if probable_cause.is_empty() && suggested_fix.is_empty() {
        return None;
    }
    let summary = match joined(Part::Summary) {
        s if s.is_empty() => first_paragraph(&probable_cause),
        s => s,
    };
    Some(bounded(Explanation {
        source: Source::Llm,
        family: None,
        summary,
        probable_cause,
        evidence: items(Part::Evidence),
        suggested_fix,
        commands: items(Part::Commands).into_iter().map(Command::new).collect(),
        confidence: 0.5,
        alternatives: Vec::new(),
    }))
}

/// The text itself, when it has neither JSON nor sections: low confidence.
fn plain_answer(text: &str) -> Explanation {
    bounded(Explanation {
        source: Source::Llm,
        family: None,
        summary: first_paragraph(text),
        probable_cause: text.trim().to_string(),
        evidence: Vec::new(),
        suggested_fix: String::new(),
        commands: Vec::new(),
        confidence: 0.3,
        alternatives: Vec::new(),
    })
}

fn first_paragraph(text: &str) -> String {
    text.trim().split("\n\n").next().unwrap_or_default().trim().to_string()
}

/// Caps every field at [`MAX_FIELD_CHARS`] and every list at [`MAX_ITEMS`].
fn bounded(mut e: Explanation) -> Explanation {
    for field in [&mut e.summary, &mut e.probable_cause, &mut e.suggested_fix] {
        cap(field);
    }
    e.evidence.truncate(MAX_ITEMS);
    e.evidence.iter_mut().for_each(cap);
    e.commands.truncate(MAX_ITEMS);
    e.commands.iter_mut().for_each(|c| cap(&mut c.command));
    e
}

fn cap(text: &mut String) {
    if let Some((at, _)) = text.char_indices().nth(MAX_FIELD_CHARS) {
        text.truncate(at);
        text.push('…');
    }
}
