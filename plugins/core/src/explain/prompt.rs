//! The prompt for a senior-SRE assistant, built from scrubbed evidence within a token budget.
//!
//! **Scrubbing first.** Every text that goes into the prompt passes through the caller's
//! [`Scrubber`] before anything is counted or kept; the caller keeps the mapping to restore
//! the answer.
//!
//! **Budget.** Tokens are estimated as characters / 4, rounded up. The instructions, the
//! incident header (services and root-cause candidates) and the rule book's match are always
//! kept. The other items enter by priority while they fit, so the first dropped are, in this
//! order: (1) configuration snippets, (2) the normal lines around errors, (3) the top log
//! templates, (4) errors after the first, (5) anomalies and alerts; (6) the first error
//! is cut to what is left rather than dropped. Dropped items are counted in
//! [`Prompt::dropped`].

use super::{ConfigSnippet, Evidence, Explanation};
use crate::incident::SignalKind;
use crate::logs::analyze::{analyze, AnalyzeOptions, FindingKind};
use crate::scrub::Scrubber;
use serde::{Deserialize, Serialize};

/// The instructions.
pub const SYSTEM: &str = "You are a senior site reliability engineer. Explain the incident below: \
what most likely went wrong and how to fix it. Values such as <IPV4_1> or <EMAIL_1> are placeholders \
for removed private data: keep them as they are. Suggested commands are reviewed by a person and \
never run automatically. Answer with one JSON object and nothing else: {\"summary\": string, \
\"probable_cause\": string, \"evidence\": [string], \"suggested_fix\": string, \"commands\": [string], \
\"confidence\": number between 0 and 1}.";

/// Most log templates listed.
const TOP_TEMPLATES: usize = 10;

/// A built prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    /// The system message.
    pub system: String,
    /// The user message.
    pub user: String,
    /// Estimated tokens of both.
    pub tokens: usize,
    /// Items left out to stay within the budget.
    pub dropped: usize,
}

/// Estimated tokens of a text: characters / 4, rounded up.
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// Sections, in the order they are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Signals,
    Errors,
    Templates,
    Config,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Self::Signals => "## Anomalies and alerts (expected vs actual)",
            Self::Errors => "## Error log events (with surrounding normal lines)",
            Self::Templates => "## Top log templates (count)",
            Self::Config => "## Configuration supplied by the user",
        }
    }
}

/// An item that may enter the prompt: lower `priority` enters first.
struct Item {
    priority: u8,
    section: Section,
    order: usize,
    text: String,
}

/// Builds the prompt for `evidence` with the rule book's answer, within `budget_tokens`.
pub fn build(evidence: &Evidence, rule_book: &Explanation, budget_tokens: usize, scrubber: &mut Scrubber) -> Prompt {
    let mut header = String::from("# Incident\n");
    if let Some(incident) = &evidence.incident {
        header.push_str(&format!("Services involved: {}\n", incident.services.join(", ")));
        for (k, c) in incident.root_causes.iter().take(3).enumerate() {
            header.push_str(&format!(
                "Root-cause candidate {} : {} (score {:.2}; {})\n",
                k + 1,
                c.service,
                c.score,
                c.evidence.join("; ")
            ));
        }
    }
    if let Some(family) = &rule_book.family {
        header.push_str(&format!(
            "\n# Offline rule book match: {family}\nCause: {}\nFix: {}\n",
            rule_book.probable_cause, rule_book.suggested_fix
        ));
    }
    let header = scrubber.scrub(&header);
    let mut items = Vec::new();
    let mut push = |priority: u8, section: Section, text: &str, scrubber: &mut Scrubber| {
        let order = items.len();
        items.push(Item { priority, section, order, text: scrubber.scrub(text) });
    };
    for member in evidence.incident.iter().flat_map(|i| &i.members).filter(|m| m.kind != SignalKind::Log) {
        let service = member.service().unwrap_or("?");
        push(5, Section::Signals, &format!("- [{service}] {}", member.text), scrubber);
    }
    let mut first_error = true;
    for log in &evidence.logs {
        let Ok(analysis) = analyze(&log.text, None, &AnalyzeOptions::default()) else { continue };
        let service = log.service.as_deref().map(|s| format!("[{s}] ")).unwrap_or_default();
        for f in analysis.findings.iter().filter(|f| f.kind == FindingKind::Error) {
            let priority = if first_error { 6 } else { 4 };
            first_error = false;
            push(priority, Section::Errors, &format!("{service}line {} (x{}): {}", f.line, f.count, f.event), scrubber);
            let context: Vec<String> =
                f.before.iter().chain(&f.after).map(|c| format!("    line {}: {}", c.line, c.text)).collect();
            if !context.is_empty() {
                push(2, Section::Errors, &format!("  normal lines around it:\n{}", context.join("\n")), scrubber);
            }
        }
        for t in analysis.templates.iter().take(TOP_TEMPLATES) {
            push(3, Section::Templates, &format!("- {service}{} ({})", t.template, t.count), scrubber);
        }
    }
    for ConfigSnippet { name, text } in &evidence.config {
        push(1, Section::Config, &format!("### {name}\n{text}"), scrubber);
    }
    let mut left = budget_tokens.saturating_sub(estimate_tokens(SYSTEM) + estimate_tokens(&header));
    crate::order::sort_by(&mut items, |a, b| b.priority.cmp(&a.priority).then(a.order.cmp(&b.order)));
    let mut kept = Vec::new();
    let mut dropped = 0;
    for mut item in items {
        let cost = estimate_tokens(&item.text) + 1;
        if cost <= left {
            left -= cost;
            kept.push(item);
        } else if item.priority == 6 && left > 16 {
            item.text = item.text.chars().take((left - 1) * 4 - 1).collect::<String>() + "…";
            left = 0;
            kept.push(item);
        } else {
            dropped += 1;
        }
    }
    crate::order::sort_by_key(&mut kept, |item| (item.section, item.order));
    let mut user = header;
    let mut section = None;
    for item in kept {
        if section != Some(item.section) {
            section = Some(item.section);
            user.push_str(&format!("\n{}\n", item.section.title()));
        }
        user.push_str(&item.text);
        user.push('\n');
    }
    if dropped > 0 {
        user.push_str(&format!("\n({dropped} less important items were left out to fit the budget.)\n"));
    }
    let tokens = estimate_tokens(SYSTEM) + estimate_tokens(&user);
    Prompt { system: SYSTEM.to_string(), user, tokens, dropped }
}
