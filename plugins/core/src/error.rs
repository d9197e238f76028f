//! Typed errors of the engine, serialised as the contract's
//! `{"error": {"code", "message", "field"}}` value.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Machine-readable cause of an error; serialised in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input has no usable points.
    EmptySeries,
    /// `timestamps` and `values` have different lengths.
    LengthMismatch,
    /// A timestamp is not a finite number.
    InvalidTimestamp,
    /// Too few finite points remain to learn anything.
    TooFewPoints,
    /// The input exceeds [`crate::series::MAX_POINTS`].
    TooLarge,
    /// An option is out of its documented range.
    InvalidOption,
    /// The request is not valid JSON or does not match the contract.
    MalformedRequest,
    /// The request names a contract version this engine does not speak.
    UnsupportedVersion,
    /// A streaming state is not valid or does not belong to this engine version.
    InvalidState,
    /// The operation name is not one the engine offers.
    UnknownOperation,
}

impl ErrorCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmptySeries => "empty_series",
            Self::LengthMismatch => "length_mismatch",
            Self::InvalidTimestamp => "invalid_timestamp",
            Self::TooFewPoints => "too_few_points",
            Self::TooLarge => "too_large",
            Self::InvalidOption => "invalid_option",
            Self::MalformedRequest => "malformed_request",
            Self::UnsupportedVersion => "unsupported_version",
            Self::InvalidState => "invalid_state",
            Self::UnknownOperation => "unknown_operation",
        }
    }
}

/// An error as a value: a code, a human message and, when one input is at fault, its field name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Error {
    /// What went wrong, for machines.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
    /// The request field at fault, if one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Error {
    /// An error with no field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
    }

    /// An error blamed on one request field.
    pub fn in_field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: Some(field.to_string()) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({}): {}", self.code.as_str(), field, self.message),
            None => write!(f, "{}: {}", self.code.as_str(), self.message),
        }
    }
}

impl std::error::Error for Error {}

/// Result type of the engine.
pub type Result<T> = std::result::Result<T, Error>;
