//! The address a log line names (`db-prod-1:5432`, `https://api.example.com/v1`), and what
//! usually listens there.

use std::fmt;

/// A host with an optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name or address.
    pub host: String,
    /// Port, when given.
    pub port: Option<u16>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

impl Target {
    /// The first address in `line`: the name after `lookup ` first when `lookup` is set (a
    /// DNS failure names the DNS server's address too), else the first `host:port` or URL.
    pub fn find(line: &str, lookup: bool) -> Option<Self> {
        if lookup {
            if let Some(host) = line.split("lookup ").nth(1).and_then(|rest| rest.split_whitespace().next()) {
                let host = host.trim_end_matches([':', '.', ',']);
                if is_host(host) {
                    return Some(Self { host: host.to_string(), port: None });
                }
            }
        }
        let tokens = line.split(|c: char| c.is_whitespace() || "'\"()[]<>,;=`".contains(c));
        tokens.filter_map(Self::parse_token).next()
    }

    /// A `host:port` token, or a URL's host and port.
    fn parse_token(token: &str) -> Option<Self> {
        let token = token.trim_end_matches(['.', ':']);
        let (url, rest) = match token.split_once("://") {
            Some((_, rest)) => (true, rest),
            None => (false, token),
        };
        let rest = rest.rsplit('@').next()?.split('/').next()?;
        match rest.split_once(':') {
            Some((host, port)) if !port.contains(':') => {
                let port = port.parse::<u16>().ok()?;
                is_host(host).then(|| Self { host: host.to_string(), port: Some(port) })
            }
            None if url && is_host(rest) => Some(Self { host: rest.to_string(), port: None }),
            _ => None,
        }
    }
}

/// A plausible host: letters, digits, `.`, `-`, `_`; with a letter or a dot (so clock times
/// such as `10:00` are not hosts).
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
        && host.chars().any(|c| c.is_ascii_alphabetic() || c == '.')
        && !host.starts_with(['.', '-'])
}

/// What usually listens at a target, by well-known port or name.
pub fn what_listens(target: &Target) -> &'static str {
    let host = target.host.to_ascii_lowercase();
    match target.port {
        Some(5432 | 3306 | 27017 | 1433 | 1521 | 9042 | 26257) => "the database",
        Some(6379) => "the Redis server",
        Some(9092) => "the Kafka broker",
        Some(5672) => "the RabbitMQ broker",
        Some(9200) => "Elasticsearch",
        Some(11211) => "memcached",
        _ if ["db", "postgres", "mysql", "mongo", "sql"].iter().any(|w| host.contains(w)) => "the database",
        _ if host.contains("redis") => "the Redis server",
        _ => "the service",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_quoted_host_and_port() {
        let line = "ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'";
        assert_eq!(Target::find(line, false), Some(Target { host: "db-prod-1".into(), port: Some(5432) }));
    }

    #[test]
    fn skips_clock_times_and_reads_urls() {
        let line = "2026-11-20 10:00:01 GET https://user:pw@api.example.com/v1/x failed";
        assert_eq!(Target::find(line, false), Some(Target { host: "api.example.com".into(), port: None }));
    }

    #[test]
    fn dns_failure_names_the_looked_up_host() {
        let line = "dial tcp: lookup orders-db on 10.96.0.10:53: no such host";
        assert_eq!(Target::find(line, true).map(|t| t.host), Some("orders-db".into()));
    }
}
