//! The configuration file: defaults for flags, below flags and environment variables.
//!
//! `--config FILE`, else `$CORRIDOR_CONFIG`, else `$XDG_CONFIG_HOME/corridor/config.toml` (or
//! `~/.config/corridor/config.toml`) when it exists. Each key sets the environment variable of
//! its flag unless that variable is set already, so the order is: flag, environment, file,
//! built-in default. Unknown keys are errors, so a typo does not go unnoticed.

use serde::Deserialize;
use std::ffi::OsString;
use std::path::PathBuf;

/// The keys of the file, each with the environment variable it stands for.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Config {
    /// `CORRIDOR_PLUGIN`.
    plugin: Option<PathBuf>,
    /// `CORRIDOR_PROMETHEUS`.
    prometheus: Option<String>,
    /// `CORRIDOR_SENSITIVITY`.
    sensitivity: Option<f64>,
    /// `CORRIDOR_SEASONALITY`.
    seasonality: Option<String>,
    /// `CORRIDOR_MIN_DURATION`.
    min_duration: Option<f64>,
}

/// The configuration file named in `args` or the environment, or the default one if present.
fn path(args: &[OsString]) -> Option<(PathBuf, bool)> {
    let mut given = None;
    for (i, arg) in args.iter().enumerate() {
        let arg = arg.to_string_lossy();
        if let Some(value) = arg.strip_prefix("--config=") {
            given = Some(PathBuf::from(value));
        } else if arg == "--config" {
            given = args.get(i + 1).map(PathBuf::from);
        }
    }
    if let Some(path) = given.or_else(|| std::env::var_os("CORRIDOR_CONFIG").map(PathBuf::from)) {
        return Some((path, true));
    }
    let home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some((home.join("corridor/config.toml"), false)).filter(|(p, _)| p.is_file())
}

/// Reads the configuration file, if any, into the environment variables not set yet.
pub fn apply(args: &[OsString]) -> Result<(), String> {
    let Some((path, named)) = path(args) else { return Ok(()) };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if named => return Err(format!("{}: {e}", path.display())),
        Err(_) => return Ok(()),
    };
    let config: Config = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let defaults = [
        ("CORRIDOR_PLUGIN", config.plugin.map(|p| p.display().to_string())),
        ("CORRIDOR_PROMETHEUS", config.prometheus),
        ("CORRIDOR_SENSITIVITY", config.sensitivity.map(|s| s.to_string())),
        ("CORRIDOR_SEASONALITY", config.seasonality),
        ("CORRIDOR_MIN_DURATION", config.min_duration.map(|s| s.to_string())),
    ];
    for (variable, value) in defaults {
        if let (Some(value), None) = (value, std::env::var_os(variable)) {
            std::env::set_var(variable, value);
        }
    }
    Ok(())
}
