//! Log analysis: line parsing, multi-line events, template mining and the findings that matter.

pub mod analyze;
pub mod drain;
pub mod event;
pub mod line;
pub mod mask;
pub mod time;
