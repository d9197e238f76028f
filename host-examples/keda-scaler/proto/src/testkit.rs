//! Real processes for the scaler's tests and benchmark: a Prometheus (the Debian package) holding
//! backfilled synthetic load in its own tsdb directory, and the scaler binary, each on a free
//! loopback port and stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Seconds between synthetic samples.
pub const SAMPLE_STEP_S: i64 = 60;

/// Synthetic request load at `t` (seconds): a daily and a weekly cycle, a trend-free level and a
/// deterministic jitter, rounded to three decimals as it is written to Prometheus.
pub fn synthetic_load(t: i64) -> f64 {
    let day = (t % 86_400) as f64 / 86_400.0 * std::f64::consts::TAU;
    let week = (t % 604_800) as f64 / 604_800.0 * std::f64::consts::TAU;
    let jitter = ((t / SAMPLE_STEP_S).wrapping_mul(2_654_435_761).rem_euclid(1_000)) as f64 / 1_000.0 - 0.5;
    let load = 200.0 + 120.0 * (day - 1.2).sin() + 30.0 * week.sin() + 10.0 * jitter;
    (load * 1_000.0).round() / 1_000.0
}

/// One synthetic gauge to backfill: its name and the value at each sample time.
pub struct SyntheticSeries {
    /// Metric name.
    pub name: String,
    /// First sample, seconds since the epoch.
    pub from: i64,
    /// Last sample, seconds since the epoch.
    pub to: i64,
    /// The value at a time.
    pub value: fn(i64) -> f64,
}

/// Now, seconds since the epoch.
pub fn now_s() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// A fresh scratch directory under the system temporary directory, unique to this call.
pub fn scratch_dir(tag: &str) -> PathBuf {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("corridor-{tag}-{}-{}-{call}", std::process::id(), now_s()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// A child process killed when dropped.
pub struct Process(Child);

impl Process {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// Sends SIGTERM and waits up to `limit` for the exit; true on a clean exit.
    pub fn terminate(&mut self, limit: Duration) -> bool {
        let sent = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status().is_ok_and(|s| s.success());
        let deadline = Instant::now() + limit;
        while sent && Instant::now() < deadline {
            if let Ok(Some(status)) = self.0.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.0 GET on loopback: the status code and the body.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    http_request(addr, "GET", path)
}

/// A plain HTTP/1.0 request without a body on loopback: the status code and the body.
pub fn http_request(addr: &str, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(stream, "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: 0\r\n\r\n")?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
    Ok((status, body))
}

fn find_program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("`{name}` is not installed: run scripts/setup.sh (it installs the Debian package `prometheus`)")
    })
}

/// A Prometheus server on a free loopback port with its own tsdb directory.
pub struct PrometheusServer {
    process: Option<Process>,
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl PrometheusServer {
    /// Backfills `series` with promtool into a fresh tsdb and starts Prometheus on it; waits until
    /// it is ready. Panics with a clear message when the Debian package is missing.
    pub fn start(series: &[SyntheticSeries]) -> Self {
        let (prometheus, promtool) = (find_program("prometheus"), find_program("promtool"));
        let dir = scratch_dir("prometheus");
        let data = dir.join("data.om");
        write_openmetrics(&data, series);
        let tsdb = dir.join("tsdb");
        let backfill = Command::new(&promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h"])
            .arg(&data)
            .arg(&tsdb)
            .stdout(Stdio::null())
            .output()
            .expect("promtool runs");
        assert!(backfill.status.success(), "promtool backfill failed: {}", String::from_utf8_lossy(&backfill.stderr));
        let config = dir.join("prometheus.yml");
        std::fs::write(&config, "global:\n  scrape_interval: 1m\n").expect("prometheus.yml");
        let address = format!("127.0.0.1:{}", free_port());
        let log = std::fs::File::create(dir.join("prometheus.log")).expect("prometheus log");
        let child = Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", tsdb.display()))
            .arg("--storage.tsdb.retention.time=30d")
            .arg(format!("--web.listen-address={address}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("prometheus starts");
        let server = Self { process: Some(Process(child)), url: format!("http://{address}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !matches!(http_get(&address, "/-/ready"), Ok((200, _))) {
            assert!(Instant::now() < deadline, "Prometheus at {address} not ready in 60 s; see {}", dir.display());
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    /// Stops Prometheus (as an outage would).
    pub fn stop(&mut self) {
        self.process = None;
    }
}

fn write_openmetrics(path: &Path, series: &[SyntheticSeries]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("openmetrics file"));
    for s in series {
        writeln!(out, "# TYPE {} gauge", s.name).expect("write");
        let mut t = s.from;
        while t <= s.to {
            writeln!(out, "{} {:.3} {t}", s.name, (s.value)(t)).expect("write");
            t += SAMPLE_STEP_S;
        }
    }
    writeln!(out, "# EOF").expect("write");
    out.flush().expect("write");
}

/// The scaler binary, started with port 0 for both listeners.
pub struct ScalerProcess {
    /// The process.
    pub process: Process,
    /// gRPC address.
    pub grpc: SocketAddr,
    /// HTTP address (metrics and probes).
    pub http: SocketAddr,
    /// Where its log (stderr) goes.
    pub log: PathBuf,
}

impl ScalerProcess {
    /// Starts `binary` with `--plugin plugin`, loopback listeners and `args`, and waits for the
    /// line that names its addresses.
    pub fn start(binary: &Path, plugin: &Path, args: &[&str]) -> Self {
        let log = scratch_dir("scaler").join("scaler.log");
        let mut child = Command::new(binary)
            .arg("--plugin")
            .arg(plugin)
            .args(["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("scaler log"))
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("scaler stdout");
        let address = |key: &str| -> SocketAddr {
            let word = line.split_whitespace().find_map(|w| w.strip_prefix(key));
            word.and_then(|a| a.parse().ok())
                .unwrap_or_else(|| panic!("scaler did not report its {key} address: {line:?}; see {}", log.display()))
        };
        let (grpc, http) = (address("grpc="), address("http="));
        Self { process: Process(child), grpc, http, log }
    }
}
