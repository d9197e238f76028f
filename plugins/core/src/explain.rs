//! Explanations of an incident or a log: from the offline rule book (the default), or from an
//! LLM through a prompt built here and an answer read here.
//!
//! - [`rulebook`]: the catalogue of failure signatures ([`families`]) and its matcher.
//! - [`prompt`]: the prompt for a senior-SRE assistant, scrubbed first, within a token budget.
//! - [`parse_answer`]: the model's answer as an [`Explanation`] (JSON, else markdown sections).
//!
//! Every suggested command carries `requires_approval: true`: Corridor never runs anything.

mod answer;
mod families;
pub mod prompt;
pub mod rulebook;
mod target;

pub use answer::parse_answer;
pub use families::{families, Family};
pub use rulebook::{EvidenceLine, Ranked};

use crate::incident::Incident;
use crate::logs::analyze::error_word;
use serde::{Deserialize, Serialize};

/// Most log lines per source the rule book reads.
pub const MAX_RULE_BOOK_LINES: usize = 20_000;

/// Who answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The offline rule book.
    RuleBook,
    /// The configured LLM.
    Llm,
}

/// A command a person may run after reading it; never run by Corridor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// The command line.
    pub command: String,
    /// Always `true`: a person must approve it.
    pub requires_approval: bool,
}

impl Command {
    /// A command that requires approval.
    pub fn new(command: impl Into<String>) -> Self {
        Self { command: command.into(), requires_approval: true }
    }
}

/// A structured explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Who answered.
    pub source: Source,
    /// The rule book's family id, when it answered.
    pub family: Option<String>,
    /// One or two sentences.
    pub summary: String,
    /// What most likely went wrong.
    pub probable_cause: String,
    /// The lines and facts it rests on.
    pub evidence: Vec<String>,
    /// What to check and change.
    pub suggested_fix: String,
    /// Commands to run, each needing approval.
    pub commands: Vec<Command>,
    /// Confidence in [0, 1].
    pub confidence: f64,
    /// The rule book's best families with their scores (empty for an LLM answer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Ranked>,
}

/// One log, with the service it came from when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogSource {
    /// The service, if known.
    #[serde(default)]
    pub service: Option<String>,
    /// The log text.
    pub text: String,
}

/// A configuration snippet the user adds to the prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigSnippet {
    /// A name (file name, resource).
    pub name: String,
    /// The text.
    pub text: String,
}

/// What is explained: logs, an incident, configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Logs.
    pub logs: Vec<LogSource>,
    /// The incident from `correlate`, if any.
    pub incident: Option<Incident>,
    /// User-supplied configuration snippets (prompt only).
    pub config: Vec<ConfigSnippet>,
}

impl Evidence {
    /// The lines the rule book reads: every log line (errors weigh 2), every incident signal
    /// (errors weigh 2); lines from the incident's top root-cause candidate weigh twice more.
    pub fn lines(&self) -> Vec<EvidenceLine> {
        let root = self.incident.as_ref().and_then(|i| i.root_causes.first()).map(|c| c.service.as_str());
        let at_root = |service: Option<&str>| if service.is_some() && service == root { 2.0 } else { 1.0 };
        let mut out = Vec::new();
        for log in &self.logs {
            for line in log.text.lines().filter(|l| !l.trim().is_empty()).take(MAX_RULE_BOOK_LINES) {
                let lower = line.to_ascii_lowercase();
                let error = if error_word(&lower).is_some() { 2.0 } else { 1.0 };
                out.push(EvidenceLine {
                    text: line.to_string(),
                    service: log.service.clone(),
                    weight: error * at_root(log.service.as_deref()),
                });
            }
        }
        for member in self.incident.iter().flat_map(|i| &i.members) {
            let error = if member.error { 2.0 } else { 1.0 };
            out.push(EvidenceLine {
                text: member.text.clone(),
                service: member.service().map(str::to_string),
                weight: error * at_root(member.service()),
            });
        }
        out
    }

    /// The rule book's answer; when no signature matches, an answer that says so.
    pub fn rule_book(&self) -> Explanation {
        rulebook::explain(&self.lines()).unwrap_or_else(|| Explanation {
            source: Source::RuleBook,
            family: None,
            summary: "Offline rule book: no known failure signature matches this evidence.".into(),
            probable_cause: "Unknown: none of the rule book's signatures appear in the logs, alerts or anomalies."
                .into(),
            evidence: Vec::new(),
            suggested_fix: "Look at the earliest error and the root-cause candidates, or configure an LLM endpoint."
                .into(),
            commands: Vec::new(),
            confidence: 0.0,
            alternatives: Vec::new(),
        })
    }
}
