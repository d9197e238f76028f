//! Warnings: every repair the engine made to its input, and every limit it ran into,
//! reported in the result instead of being applied silently.

use serde::{Deserialize, Serialize};

/// What a warning is about; serialised in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// NaN or ±Inf values were dropped; they are treated as missing points.
    NonFiniteValues,
    /// Timestamps were out of order and were sorted.
    UnsortedTimestamps,
    /// Several points shared a timestamp; the last one given was kept.
    DuplicateTimestamps,
    /// The series has gaps longer than twice its step; nothing was filled in.
    Gaps,
    /// Streaming points at or before the state's last timestamp were dropped.
    StalePoints,
    /// There is too little history to learn a period (two full cycles are needed).
    InsufficientHistory,
    /// The model is still learning: scores of these points are 0.
    WarmingUp,
    /// Log lines longer than [`crate::logs::event::MAX_LINE_BYTES`] were cut.
    TruncatedLines,
    /// Invalid UTF-8 in a log was replaced by U+FFFD.
    InvalidUtf8,
    /// The LLM's answer could not be used; the rule book answered instead.
    LlmFallback,
    /// Items of the prompt were left out to fit its token budget.
    PromptTruncated,
}

/// One warning: a code, how many points it concerns, and a sentence for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// What the warning is about.
    pub code: WarningCode,
    /// How many points (or periods) it concerns.
    pub count: usize,
    /// A plain-English explanation.
    pub message: String,
}

impl Warning {
    /// A warning about `count` items.
    pub fn new(code: WarningCode, count: usize, message: impl Into<String>) -> Self {
        Self { code, count, message: message.into() }
    }
}
