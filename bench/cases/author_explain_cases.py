"""Writes the explain benchmark cases (bench/cases/explain/<case>/) from the incident
descriptions below: realistic logs of each service, optional metrics and Alertmanager alerts,
and the known cause. Run it after editing a case: python3 bench/cases/author_explain_cases.py

Each case is a failure as it shows up in practice: the root-cause service's own log lines,
the downstream services' symptoms (502s, timeouts, retries), unrelated noise from other
services, and background traffic. Messages follow the wording of the real software
(PostgreSQL, MySQL, nginx, Envoy, kubelet, JVM, Python, Go, Node).
"""

import json
import math
import pathlib
import random
import zlib
from datetime import datetime, timedelta, timezone

OUT = pathlib.Path(__file__).resolve().parent / "explain"
T0 = datetime(2026, 11, 20, 10, 0, 0, tzinfo=timezone.utc)

NORMAL = {
    "web": ["10.2.0.{n} - - \"GET /products/{n} HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\" rt=0.0{n}",
            "10.2.0.{n} - - \"GET /cart HTTP/1.1\" 200 812 \"-\" \"Mozilla/5.0\" rt=0.01{n}"],
    "frontend": ["INFO  render page=/home took={n}ms", "INFO  GET /api/session 200 {n}ms"],
    "gateway": ["[2026-11-20T10:00:00.000Z] \"GET /api/orders HTTP/1.1\" 200 - 0 {n}12 {n} \"orders\"",
                "[2026-11-20T10:00:00.000Z] \"POST /api/checkout HTTP/1.1\" 200 - 310 220 {n}1 \"checkout\""],
    "api": ["INFO  request completed method=GET path=/v1/orders status=200 duration_ms={n}",
            "INFO  request completed method=POST path=/v1/cart status=201 duration_ms=1{n}"],
    "orders": ["INFO  o.s.web.servlet.DispatcherServlet - Completed 200 OK in {n} ms",
               "INFO  c.shop.orders.OrderService - order {n}0{n} placed"],
    "checkout": ["INFO checkout.service: payment authorised order={n}41{n}", "INFO checkout.http: POST /checkout 200 {n}ms"],
    "payments": ["INFO  payments: charge created id=ch_{n}f{n} amount=1999", "INFO  payments: GET /health 200"],
    "db": ["LOG:  checkpoint starting: time", "LOG:  checkpoint complete: wrote {n}4 buffers (0.{n}%)"],
    "mysql": ["[Note] [MY-010914] [Server] Aborted connection {n}12 to db: 'shop' user: 'app' (Got timeout reading communication packets)"],
    "redis": ["1:M 20 Nov 2026 10:00:00.000 * {n} changes in 300 seconds. Saving...", "1:M 20 Nov 2026 10:00:00.000 * Background saving terminated with success"],
    "worker": ["INFO worker: job {n}9{n} done in {n}.2s", "INFO worker: polling queue=emails"],
    "consumer": ["INFO  c.shop.events.Consumer - processed batch size=500 partition={n}", "INFO  c.shop.events.Consumer - committed offsets"],
    "kafka": ["INFO [ReplicaManager broker=1] Completed fetch for partition orders-{n}", "INFO [GroupCoordinator 1]: Stabilized group events generation {n}"],
    "search": ["[INFO ][o.e.c.m.MetadataIndexTemplateService] [es-0] adding template [logs]", "[INFO ][o.e.n.Node] [es-0] heap size [2gb]"],
    "auth": ["INFO auth: token issued sub=user-{n} ttl=3600", "INFO auth: GET /.well-known/jwks.json 200"],
    "inventory": ["INFO inventory: stock check sku=SKU-{n}11 ok", "INFO inventory: GET /stock 200 {n}ms"],
    "notifications": ["INFO notifications: email queued template=order_confirmation", "INFO notifications: sent {n} messages"],
    "reports": ["INFO reports: nightly export progress rows={n}000", "WARN reports: slow export chunk took {n}s"],
    "recommendations": ["INFO recs: model v12 scored {n}0 items", "INFO recs: cache hit ratio 0.9{n}"],
    "node-exporter": ["level=info msg=\"Listening on\" address=:9100"],
}


def normal_lines(service, start, end, step, seed):
    rnd = random.Random(seed)
    pool = NORMAL.get(service, ["INFO " + service + ": ok {n}"])
    out = []
    t = start
    while t < end:
        out.append((t + rnd.random() * step * 0.5, service, rnd.choice(pool).format(n=rnd.randint(1, 9))))
        t += step
    return out


def stamp(offset_s):
    return (T0 + timedelta(seconds=offset_s)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def alert(name, service, offset_s, severity, summary, extra=None):
    labels = {"alertname": name, "service": service, "severity": severity, "namespace": "shop"}
    labels.update(extra or {})
    return {"status": "firing", "labels": labels, "annotations": {"summary": summary},
            "startsAt": stamp(offset_s).replace(".000Z", "Z"), "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph", "fingerprint": f"{zlib.crc32((name + service).encode()):08x}"}


def webhook(alerts):
    return {"version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0, "status": "firing", "receiver": "corridor",
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
            "alerts": alerts}


def metric_rows(series, service, base, start_s, level, seed, noise=0.04):
    """A series at 30 s steps from one hour before the incident to ten minutes after; from
    `start_s` on, it moves to `level`."""
    rnd = random.Random(seed)
    rows = []
    for k in range(-120, 21):
        t = k * 30
        daily = 1 + 0.05 * math.sin(2 * math.pi * k / 120)
        v = (level if t >= start_s else base * daily) * (1 + noise * (rnd.random() - 0.5) * 2)
        rows.append((int((T0 + timedelta(seconds=t)).timestamp()), f'{series}{{service="{service}"}}', round(v, 3)))
    return rows


CASES = []


def case(name, cause, root, lines, graph=None, alerts=(), metrics=(), unrelated=(), services=None):
    CASES.append(dict(name=name, cause=cause, root=root, lines=lines, graph=graph or {}, alerts=list(alerts),
                      metrics=list(metrics), unrelated=list(unrelated), services=services))


# --- connection refused -------------------------------------------------------------------
case("pg-down-connection-refused", "connection_refused", "api", [
    (0, "api", "ERROR sqlalchemy.pool.impl.QueuePool: Exception during reset or similar"),
    (0.2, "api", "psycopg2.OperationalError: connection to server at \"db-prod-1\" (10.0.3.7), port 5432 failed: Connection refused"),
    (0.3, "api", "\tIs the server running on that host and accepting TCP/IP connections?"),
    (5, "api", "WARNING Database health check failed. Retrying in 5s..."),
    (10, "api", "psycopg2.OperationalError: connection to server at \"db-prod-1\" (10.0.3.7), port 5432 failed: Connection refused"),
    (12, "web", "2026/11/20 10:00:12 [error] 31#31: *8812 upstream prematurely closed connection while reading response header from upstream, client: 10.2.0.9, server: shop, request: \"GET /api/orders HTTP/1.1\", upstream: \"http://10.0.4.2:8000/api/orders\""),
    (13, "web", "10.2.0.9 - - \"GET /api/orders HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\" rt=0.004"),
    (30, "web", "10.2.0.4 - - \"GET /api/orders HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\" rt=0.003"),
], graph={"web": ["api"], "api": ["db"]},
    alerts=[alert("HighErrorRate", "web", 60, "critical", "5xx ratio above 5% on web")],
    metrics=[("http_requests_errors_ratio", "web", 0.002, 15, 0.31, 1)])

case("classic-db-refused", "connection_refused", "app", [
    (0, "app", "Starting server..."),
    (1, "app", "ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'"),
    (1.1, "app", "Database health check failed. Retrying in 5s..."),
    (6, "app", "ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'"),
    (6.1, "app", "Database health check failed. Retrying in 5s..."),
])

case("redis-refused-after-failover", "connection_refused", "checkout", [
    (0, "checkout", "ERROR checkout.cache: Error 111 connecting to redis-master.shop.svc:6379. Connection refused."),
    (0.5, "checkout", "WARN checkout.cache: falling back to database for session lookup"),
    (20, "checkout", "ERROR checkout.cache: Error 111 connecting to redis-master.shop.svc:6379. Connection refused."),
    (25, "frontend", "WARN  GET /api/session 200 1840ms slow"),
    (40, "reports", "WARN reports: slow export chunk took 14s"),
], graph={"frontend": ["checkout"], "checkout": ["redis"]}, unrelated=["reports"],
    alerts=[alert("RedisDown", "redis", -20, "critical", "Redis instance redis-master is down")])

# --- DNS ------------------------------------------------------------------------------------
case("dns-typo-after-deploy", "dns_resolution_failure", "orders", [
    (0, "orders", "ERROR c.z.hikari.pool.HikariPool - HikariPool-1 - Exception during pool initialization."),
    (0.1, "orders", "java.net.UnknownHostException: orders-postgres.shop.svc.cluster.locl: Name or service not known"),
    (0.2, "orders", "\tat java.base/java.net.Inet6AddressImpl.lookupAllHostAddr(Native Method)"),
    (3, "orders", "ERROR o.s.boot.SpringApplication - Application run failed"),
    (15, "gateway", "[2026-11-20T10:00:15.000Z] \"GET /api/orders HTTP/1.1\" 503 UH 0 19 0 \"orders\""),
    (16, "gateway", "upstream connect error or disconnect/reset before headers. reset reason: connection failure"),
], graph={"gateway": ["orders"], "orders": ["db"]},
    alerts=[alert("KubePodCrashLooping", "orders", 90, "warning", "Pod shop/orders-6d5f is crash looping")])

case("go-dns-coredns-overload", "dns_resolution_failure", "api", [
    (0, "api", "level=error msg=\"fetch inventory\" err=\"Get \\\"http://inventory.shop.svc:8080/stock\\\": dial tcp: lookup inventory.shop.svc on 10.96.0.10:53: no such host\""),
    (2, "api", "level=error msg=\"fetch inventory\" err=\"Get \\\"http://inventory.shop.svc:8080/stock\\\": dial tcp: lookup inventory.shop.svc on 10.96.0.10:53: read udp 10.0.5.3:40212->10.96.0.10:53: i/o timeout\""),
    (4, "api", "level=error msg=\"fetch inventory\" err=\"dial tcp: lookup inventory.shop.svc on 10.96.0.10:53: no such host\""),
    (10, "frontend", "ERROR GET /api/stock 500 2003ms"),
], graph={"frontend": ["api"], "api": ["inventory"]},
    metrics=[("http_request_duration_seconds_p99", "api", 0.08, 0, 2.1, 2)])

case("node-enotfound-payment-provider", "dns_resolution_failure", "payments", [
    (0, "payments", "Error: getaddrinfo ENOTFOUND api.payment-provider.example"),
    (0.1, "payments", "    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26) { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'api.payment-provider.example' }"),
    (5, "checkout", "WARN checkout.payments: charge failed, retrying (attempt 2/3)"),
    (9, "checkout", "ERROR checkout.http: POST /checkout 502 5012ms"),
], graph={"checkout": ["payments"]})

# --- TLS ------------------------------------------------------------------------------------
case("tls-cert-expired-internal-api", "tls_certificate_expired", "auth", [
    (0, "api", "ERROR auth client: Get \"https://auth.shop.svc:8443/introspect\": x509: certificate has expired or is not yet valid: current time 2026-11-20T10:00:00Z is after 2026-11-20T09:59:59Z"),
    (1, "api", "ERROR request completed method=GET path=/v1/orders status=401 duration_ms=3"),
    (3, "api", "ERROR auth client: Get \"https://auth.shop.svc:8443/introspect\": x509: certificate has expired or is not yet valid"),
    (5, "web", "10.2.0.3 - - \"GET /api/orders HTTP/1.1\" 401 0 \"-\" \"Mozilla/5.0\" rt=0.005"),
], graph={"web": ["api"], "api": ["auth"]},
    alerts=[alert("CertificateExpired", "auth", -5, "critical", "Certificate auth-tls in shop expired")])

case("tls-expired-java-client", "tls_certificate_expired", "search", [
    (0, "orders", "ERROR c.shop.search.SearchClient - index order failed"),
    (0.1, "orders", "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed"),
    (0.2, "orders", "Caused by: java.security.cert.CertificateExpiredException: NotAfter: Fri Nov 20 09:00:00 UTC 2026"),
    (30, "orders", "ERROR c.shop.search.SearchClient - index order failed"),
], graph={"orders": ["search"]},
    alerts=[alert("SSLCertExpiringSoon", "search", -3600, "warning", "TLS certificate of search.shop.svc expires in 1h")])

# --- OOMKilled --------------------------------------------------------------------------------
case("oomkilled-image-resizer", "oom_killed", "recommendations", [
    (0, "recommendations", "Warning  OOMKilling  node/ip-10-0-1-23  Memory cgroup out of memory: Killed process 28811 (python) total-vm:2210340kB, anon-rss:1048200kB"),
    (1, "recommendations", "Normal   Killing  pod/recommendations-7c9d  Container recs exceeded its memory limit; Last State: Terminated Reason: OOMKilled Exit Code: 137"),
    (40, "recommendations", "Warning  BackOff  pod/recommendations-7c9d  Back-off restarting failed container recs"),
    (45, "frontend", "WARN  recommendations unavailable, rendering without them"),
], graph={"frontend": ["recommendations"]},
    alerts=[alert("KubeContainerOOMKilled", "recommendations", 10, "warning", "Container recs in pod recommendations-7c9d was OOMKilled")],
    metrics=[("container_memory_working_set_bytes", "recommendations", 6.0e8, -300, 1.02e9, 3)])

case("oomkilled-worker-batch", "oom_killed", "worker", [
    (0, "worker", "INFO worker: loading export of 4.2M rows into memory"),
    (30, "worker", "Normal Killing pod/worker-5b8f9 reason: OOMKilled exitCode: 137 container worker"),
    (32, "worker", "Warning BackOff pod/worker-5b8f9 Back-off restarting failed container worker"),
    (50, "notifications", "WARN notifications: queue depth 1200 growing"),
], graph={"notifications": ["worker"]},
    metrics=[("container_memory_working_set_bytes", "worker", 3.0e8, -120, 9.9e8, 4)])

# --- JVM / Python / Node OOM -----------------------------------------------------------------
case("jvm-heap-space-orders", "jvm_out_of_memory", "orders", [
    (0, "orders", "WARN  o.h.e.j.s.SqlExceptionHelper - GC pause 4.2s"),
    (20, "orders", "ERROR o.a.c.c.C.[.[.[/].[dispatcherServlet] - Servlet.service() threw exception"),
    (20.1, "orders", "java.lang.OutOfMemoryError: Java heap space"),
    (20.2, "orders", "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)"),
    (40, "gateway", "[2026-11-20T10:00:40.000Z] \"GET /api/orders HTTP/1.1\" 504 UT 0 24 15001 \"orders\""),
], graph={"gateway": ["orders"]},
    metrics=[("jvm_gc_pause_seconds_sum", "orders", 0.02, 0, 3.5, 5)])

case("jvm-gc-overhead-consumer", "jvm_out_of_memory", "consumer", [
    (0, "consumer", "ERROR c.shop.events.Consumer - processing failed"),
    (0.1, "consumer", "java.lang.OutOfMemoryError: GC overhead limit exceeded"),
    (30, "consumer", "WARN  o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=events-1, groupId=events] consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms"),
], graph={"consumer": ["kafka"]})

case("python-memoryerror-reports", "runtime_out_of_memory", "reports", [
    (0, "reports", "Traceback (most recent call last):"),
    (0.1, "reports", "  File \"/app/export.py\", line 88, in build_frame"),
    (0.2, "reports", "    frame = pd.DataFrame.from_records(rows)"),
    (0.3, "reports", "MemoryError: Unable to allocate 3.1 GiB for an array with shape (412000000,) and data type int64"),
    (10, "reports", "ERROR reports: nightly export failed"),
])

case("node-heap-out-of-memory", "runtime_out_of_memory", "frontend", [
    (0, "frontend", "<--- Last few GCs --->"),
    (0.1, "frontend", "[1:0x5a1b2c0]   812345 ms: Mark-sweep 2031.2 (2083.5) -> 2030.9 (2084.0) MB, 1890.2 / 0.0 ms  (average mu = 0.112) allocation failure"),
    (0.2, "frontend", "FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory"),
    (15, "web", "10.2.0.5 - - \"GET / HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\" rt=0.001"),
], graph={"web": ["frontend"]})

# --- CrashLoopBackOff -----------------------------------------------------------------------------
case("crashloop-bad-flag", "crash_loop_backoff", "inventory", [
    (0, "inventory", "flag provided but not defined: -listen-addr"),
    (0.1, "inventory", "Usage of /inventory:"),
    (1, "inventory", "Warning  BackOff  pod/inventory-84d6  Back-off restarting failed container inventory in pod inventory-84d6"),
    (60, "inventory", "Warning  BackOff  pod/inventory-84d6  Back-off restarting failed container inventory in pod inventory-84d6"),
    (70, "api", "level=warn msg=\"inventory unavailable\" err=\"no endpoints available for service inventory\""),
], graph={"api": ["inventory"]},
    alerts=[alert("KubePodCrashLooping", "inventory", 120, "warning", "Pod shop/inventory-84d6 (inventory) is in waiting state (reason: CrashLoopBackOff)")])

case("crashloop-exit-1-python", "crash_loop_backoff", "notifications", [
    (0, "notifications", "INFO notifications: starting worker v2.14.0"),
    (0.5, "notifications", "ERROR notifications: exiting with code 1: invalid template directory /templates/v2"),
    (30, "notifications", "Warning BackOff pod/notifications-5d7 Back-off restarting failed container notifications"),
    (31, "notifications", "pod/notifications-5d7 0/1 CrashLoopBackOff 5 (40s ago)"),
], alerts=[alert("KubePodCrashLooping", "notifications", 60, "warning", "Pod shop/notifications-5d7 is crash looping")])

# --- ImagePullBackOff ---------------------------------------------------------------------------
case("imagepull-wrong-tag", "image_pull_backoff", "checkout", [
    (0, "checkout", "Normal   Pulling  pod/checkout-6f8b  Pulling image \"registry.example.com/shop/checkout:v2.31.0\""),
    (2, "checkout", "Warning  Failed   pod/checkout-6f8b  Failed to pull image \"registry.example.com/shop/checkout:v2.31.0\": rpc error: code = NotFound desc = failed to pull and unpack image: manifest unknown"),
    (2.1, "checkout", "Warning  Failed   pod/checkout-6f8b  Error: ErrImagePull"),
    (20, "checkout", "Warning  Failed   pod/checkout-6f8b  Error: ImagePullBackOff"),
], alerts=[alert("KubeDeploymentReplicasMismatch", "checkout", 600, "warning", "Deployment shop/checkout has not matched the expected number of replicas")])

case("imagepull-registry-auth", "image_pull_backoff", "payments", [
    (0, "payments", "Warning Failed pod/payments-55c Failed to pull image \"ghcr.io/acme/payments:1.8.2\": failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized"),
    (0.1, "payments", "Warning Failed pod/payments-55c Error: ErrImagePull"),
    (30, "payments", "Normal BackOff pod/payments-55c Back-off pulling image \"ghcr.io/acme/payments:1.8.2\""),
    (31, "payments", "Warning Failed pod/payments-55c Error: ImagePullBackOff"),
])

# --- disk full ------------------------------------------------------------------------------------
case("pg-wal-disk-full", "disk_full", "db", [
    (0, "db", "PANIC:  could not write to file \"pg_wal/xlogtemp.1234\": No space left on device"),
    (0.5, "db", "LOG:  server process (PID 1234) was terminated by signal 6: Aborted"),
    (1, "db", "LOG:  terminating any other active server processes"),
    (3, "api", "ERROR request failed: FATAL:  the database system is in recovery mode"),
    (5, "api", "psycopg2.OperationalError: connection to server at \"db\" (10.0.3.7), port 5432 failed: Connection refused"),
    (8, "web", "10.2.0.3 - - \"POST /api/cart HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\" rt=0.004"),
], graph={"web": ["api"], "api": ["db"]},
    alerts=[alert("NodeFilesystemAlmostOutOfSpace", "db", -30, "critical", "Filesystem /var/lib/postgresql has less than 3% space left", {"instance": "db-0"})],
    metrics=[("node_filesystem_avail_bytes", "db", 4.0e10, -60, 1.0e6, 6)])

case("enospc-log-volume", "disk_full", "worker", [
    (0, "worker", "ERROR worker: failed to write spool file /var/spool/worker/job-8812.tmp: [Errno 28] No space left on device"),
    (10, "worker", "ERROR worker: failed to write spool file /var/spool/worker/job-8813.tmp: [Errno 28] No space left on device"),
    (20, "notifications", "WARN notifications: queue depth 800 growing"),
], graph={"notifications": ["worker"]})

# --- too many open files -------------------------------------------------------------------------
case("emfile-gateway", "too_many_open_files", "gateway", [
    (0, "gateway", "[warning][main] [source/server/listener_impl.cc:65] accept error: Too many open files"),
    (0.5, "gateway", "[critical][main] error accepting new connection: too many open files"),
    (5, "frontend", "ERROR GET /api/session failed: connect ETIMEDOUT 10.0.2.4:8080"),
], graph={"frontend": ["gateway"]})

case("go-too-many-open-files", "too_many_open_files", "api", [
    (0, "api", "2026/11/20 10:00:00 http: Accept error: accept tcp [::]:8080: accept4: too many open files; retrying in 1s"),
    (1, "api", "2026/11/20 10:00:01 http: Accept error: accept tcp [::]:8080: accept4: too many open files; retrying in 1s"),
    (3, "web", "2026/11/20 10:00:03 [error] 31#31: *9912 upstream timed out (110: Connection timed out) while connecting to upstream"),
], graph={"web": ["api"]}, metrics=[("process_open_fds", "api", 800, -240, 65536, 7)])

# --- 502 / 503 / 504 ------------------------------------------------------------------------------
case("nginx-502-backend-port", "upstream_502_bad_gateway", "web", [
    (0, "web", "2026/11/20 10:00:00 [error] 29#29: *101 connect() failed (111: Connection refused) while connecting to upstream, client: 10.2.0.8, server: shop, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.4.9:3000/\""),
    (0.1, "web", "10.2.0.8 - - \"GET / HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\" rt=0.001"),
    (1, "web", "10.2.0.3 - - \"GET /products/3 HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\" rt=0.001"),
    (2, "web", "10.2.0.4 - - \"GET /cart HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\" rt=0.001"),
], alerts=[alert("HighErrorRate", "web", 60, "critical", "5xx ratio above 5% on web")])

case("503-no-healthy-upstream", "upstream_503_unavailable", "gateway", [
    (0, "gateway", "[2026-11-20T10:00:00.000Z] \"GET /api/checkout HTTP/1.1\" 503 UH no_healthy_upstream 0 19 0 \"checkout\""),
    (1, "gateway", "[2026-11-20T10:00:01.000Z] \"POST /api/checkout HTTP/1.1\" 503 UH no_healthy_upstream 0 19 0 \"checkout\""),
    (2, "gateway", "no healthy upstream"),
    (3, "frontend", "ERROR POST /api/checkout 503 3ms"),
], graph={"frontend": ["gateway"]},
    alerts=[alert("HighErrorRate", "gateway", 60, "critical", "5xx ratio above 5% on gateway")])

case("504-slow-search", "upstream_504_timeout", "web", [
    (0, "web", "2026/11/20 10:00:00 [error] 30#30: *5512 upstream timed out (110: Connection timed out) while reading response header from upstream, request: \"GET /search?q=shoes HTTP/1.1\""),
    (0.1, "web", "10.2.0.6 - - \"GET /search?q=shoes HTTP/1.1\" 504 167 \"-\" \"Mozilla/5.0\" rt=60.001"),
    (30, "web", "10.2.0.2 - - \"GET /search?q=bags HTTP/1.1\" 504 167 \"-\" \"Mozilla/5.0\" rt=60.000"),
], metrics=[("nginx_request_duration_seconds_p99", "web", 0.2, -30, 60.0, 8)])

# --- 429 ---------------------------------------------------------------------------------------------
case("429-email-provider", "rate_limited_429", "notifications", [
    (0, "notifications", "WARN notifications: provider answered 429 Too Many Requests, retry-after=30"),
    (1, "notifications", "ERROR notifications: send failed: HTTP 429 Too Many Requests: rate limit exceeded for account"),
    (20, "notifications", "ERROR notifications: send failed: HTTP 429 Too Many Requests: rate limit exceeded for account"),
    (21, "worker", "INFO worker: job 8811 done in 2.2s"),
])

case("429-github-api", "rate_limited_429", "worker", [
    (0, "worker", "ERROR worker: sync repos failed: 403 API rate limit exceeded for installation ID 18812 (x-ratelimit-remaining: 0)"),
    (60, "worker", "ERROR worker: sync repos failed: 429 Too Many Requests (secondary rate limit), retry after 60s"),
])

# --- 401 / 403 ---------------------------------------------------------------------------------------
case("401-rotated-api-key", "unauthorized_401", "payments", [
    (0, "payments", "ERROR payments: provider rejected request: 401 Unauthorized {\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid API Key provided: sk_live_****1a2b\"}}"),
    (5, "payments", "ERROR payments: provider rejected request: 401 Unauthorized"),
    (6, "checkout", "ERROR checkout.payments: charge failed: payments answered 502"),
], graph={"checkout": ["payments"]})

case("pg-password-auth-failed", "unauthorized_401", "orders", [
    (0, "orders", "ERROR c.z.hikari.pool.HikariPool - HikariPool-1 - Exception during pool initialization."),
    (0.1, "orders", "org.postgresql.util.PSQLException: FATAL: password authentication failed for user \"orders\""),
    (2, "db", "FATAL:  password authentication failed for user \"orders\""),
    (2.1, "db", "DETAIL:  Connection matched pg_hba.conf line 99: \"host all all all scram-sha-256\""),
], graph={"orders": ["db"]})

case("403-s3-access-denied", "forbidden_403", "reports", [
    (0, "reports", "ERROR reports: upload failed: botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied"),
    (60, "reports", "ERROR reports: upload failed: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied"),
])

case("403-k8s-rbac", "forbidden_403", "worker", [
    (0, "worker", "ERROR worker: list jobs: jobs.batch is forbidden: User \"system:serviceaccount:shop:worker\" cannot list resource \"jobs\" in API group \"batch\" in the namespace \"shop\""),
    (30, "worker", "ERROR worker: list jobs: jobs.batch is forbidden: User \"system:serviceaccount:shop:worker\" cannot list resource \"jobs\""),
])

# --- Postgres / MySQL max connections -----------------------------------------------------------------
case("pg-too-many-clients", "postgres_too_many_connections", "db", [
    (0, "db", "FATAL:  sorry, too many clients already"),
    (0.5, "db", "FATAL:  remaining connection slots are reserved for non-replication superuser connections"),
    (1, "api", "psycopg2.OperationalError: connection to server at \"db\" (10.0.3.7), port 5432 failed: FATAL:  sorry, too many clients already"),
    (4, "worker", "ERROR worker: job failed: FATAL: sorry, too many clients already"),
    (6, "web", "10.2.0.3 - - \"GET /api/orders HTTP/1.1\" 500 0 \"-\" \"Mozilla/5.0\" rt=0.050"),
], graph={"web": ["api"], "api": ["db"], "worker": ["db"]},
    metrics=[("pg_stat_activity_count", "db", 60, -30, 100, 9)],
    alerts=[alert("PostgresqlTooManyConnections", "db", 30, "warning", "PostgreSQL instance has too many connections (> 80%)")])

case("mysql-too-many-connections", "mysql_too_many_connections", "mysql", [
    (0, "mysql", "[Warning] [MY-010055] [Server] IP address '10.0.5.3' could not be resolved: Name or service not known"),
    (1, "api", "ERROR request failed: (1040, 'Too many connections')"),
    (2, "api", "ERROR sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1040, 'Too many connections')"),
    (10, "api", "ERROR request failed: (1040, 'Too many connections')"),
], graph={"api": ["mysql"]},
    alerts=[alert("MysqlTooManyConnections(>80%)", "mysql", -10, "warning", "More than 80% of MySQL connections are in use")],
    metrics=[("mysql_global_status_threads_connected", "mysql", 120, -60, 151, 10)])

# --- deadlocks --------------------------------------------------------------------------------------------
case("pg-deadlock-orders", "database_deadlock", "orders", [
    (0, "db", "ERROR:  deadlock detected"),
    (0.1, "db", "DETAIL:  Process 4121 waits for ShareLock on transaction 99812; blocked by process 4177."),
    (0.2, "db", "HINT:  See server log for query details."),
    (0.3, "orders", "ERROR o.h.e.j.s.SqlExceptionHelper - ERROR: deadlock detected"),
    (0.4, "orders", "org.springframework.dao.CannotAcquireLockException: could not execute statement; SQL [n/a]"),
    (20, "orders", "ERROR o.h.e.j.s.SqlExceptionHelper - ERROR: deadlock detected"),
], graph={"orders": ["db"]})

case("mysql-deadlock-inventory", "database_deadlock", "inventory", [
    (0, "inventory", "ERROR inventory: reserve stock failed: (1213, 'Deadlock found when trying to get lock; try restarting transaction')"),
    (5, "inventory", "ERROR inventory: reserve stock failed: (1213, 'Deadlock found when trying to get lock; try restarting transaction')"),
    (6, "checkout", "WARN checkout.service: stock reservation retried"),
], graph={"checkout": ["inventory"], "inventory": ["mysql"]})

# --- Redis OOM ----------------------------------------------------------------------------------------------
case("redis-oom-sessions", "redis_out_of_memory", "redis", [
    (0, "checkout", "ERROR checkout.cache: OOM command not allowed when used memory > 'maxmemory'."),
    (1, "checkout", "ERROR checkout.cache: OOM command not allowed when used memory > 'maxmemory'."),
    (3, "frontend", "ERROR POST /api/session 500 4ms"),
], graph={"frontend": ["checkout"], "checkout": ["redis"]},
    metrics=[("redis_memory_used_bytes", "redis", 7.0e8, -600, 1.07e9, 11)],
    alerts=[alert("RedisOutOfMemory", "redis", -30, "warning", "Redis is running out of memory (> 90%)")])

# --- Kafka consumer lag -----------------------------------------------------------------------------------
case("kafka-lag-slow-consumer", "kafka_consumer_lag", "consumer", [
    (0, "consumer", "WARN  c.shop.events.Consumer - batch took 48210 ms (enrichment call slow)"),
    (60, "consumer", "WARN  o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=events-1, groupId=events] consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing messages."),
    (61, "consumer", "INFO  o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=events-1, groupId=events] Member events-1 sending LeaveGroup request to coordinator due to consumer poll timeout has expired."),
    (62, "kafka", "INFO [GroupCoordinator 1]: Preparing to rebalance group events in state PreparingRebalance with old generation 41 (reason: removing member events-1 on LeaveGroup)"),
], graph={"consumer": ["kafka"]},
    alerts=[alert("KafkaConsumerGroupLag", "consumer", 120, "warning", "Consumer group events lag is above 100000 messages", {"consumergroup": "events"})],
    metrics=[("kafka_consumergroup_lag", "consumer", 200, 30, 150000, 12)])

case("kafka-lag-commit-failed", "kafka_consumer_lag", "consumer", [
    (0, "consumer", "ERROR o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=events-2, groupId=events] Offset commit failed on partition orders-3: Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member."),
    (30, "consumer", "ERROR o.a.k.c.c.i.ConsumerCoordinator - Offset commit failed: Commit cannot be completed since the group has already rebalanced"),
], graph={"consumer": ["kafka"]},
    alerts=[alert("KafkaConsumerGroupLag", "consumer", 60, "warning", "Consumer group events lag keeps growing", {"consumergroup": "events"})])

# --- readiness / liveness ------------------------------------------------------------------------------------
case("readiness-probe-slow-start", "readiness_probe_failed", "search", [
    (0, "search", "Warning  Unhealthy  pod/search-0  Readiness probe failed: Get \"http://10.0.7.4:9200/_cluster/health\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"),
    (10, "search", "Warning  Unhealthy  pod/search-0  Readiness probe failed: HTTP probe failed with statuscode: 503"),
    (20, "orders", "WARN  c.shop.search.SearchClient - search not ready, indexing queued"),
], graph={"orders": ["search"]})

case("liveness-probe-restarts", "liveness_probe_failed", "api", [
    (0, "api", "Warning  Unhealthy  pod/api-7f9  Liveness probe failed: Get \"http://10.0.5.3:8080/healthz\": context deadline exceeded"),
    (10, "api", "Warning  Unhealthy  pod/api-7f9  Liveness probe failed: Get \"http://10.0.5.3:8080/healthz\": context deadline exceeded"),
    (20, "api", "Normal   Killing    pod/api-7f9  Container api failed liveness probe, will be restarted"),
    (25, "web", "10.2.0.7 - - \"GET /api/orders HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\" rt=0.002"),
], graph={"web": ["api"]})

# --- evictions / NotReady / PVC / quota ------------------------------------------------------------------------
case("evicted-ephemeral-storage", "pod_evicted", "worker", [
    (0, "worker", "Warning  Evicted  pod/worker-6c8d  Pod ephemeral local storage usage exceeds the total limit of containers 1Gi."),
    (1, "worker", "Warning  Evicted  pod/worker-6c8d  The node was low on resource: ephemeral-storage. Container worker was using 3Gi, which exceeds its request of 0."),
    (5, "notifications", "WARN notifications: queue depth 400 growing"),
], graph={"notifications": ["worker"]})

case("evicted-memory-pressure", "pod_evicted", "recommendations", [
    (0, "recommendations", "Warning  Evicted  pod/recommendations-5f  The node was low on resource: memory. Threshold quantity: 100Mi, available: 91872Ki."),
    (2, "recommendations", "Warning  EvictionThresholdMet  node/ip-10-0-1-9  Attempting to reclaim memory"),
], alerts=[alert("KubePodNotReady", "recommendations", 60, "warning", "Pod shop/recommendations-5f has been in a non-ready state for longer than 15 minutes")])

case("node-notready-kubelet", "node_not_ready", "node-exporter", [
    (0, "node-exporter", "Warning  NodeNotReady  node/ip-10-0-1-23  Node ip-10-0-1-23 status is now: NodeNotReady"),
    (1, "node-exporter", "Kubelet stopped posting node status."),
    (30, "orders", "WARN  o.s.web.servlet.DispatcherServlet - slow response 1500 ms"),
    (40, "api", "Warning  NodeNotReady  pod/api-7f9  Node is not ready"),
], alerts=[alert("KubeNodeNotReady", "node-exporter", 60, "warning", "ip-10-0-1-23 has been unready for more than 15 minutes", {"node": "ip-10-0-1-23"})],
    graph={"api": ["orders"]})

case("pvc-pending-storageclass", "pvc_pending", "search", [
    (0, "search", "Warning  FailedScheduling  pod/search-2  0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."),
    (1, "search", "Warning  ProvisioningFailed  persistentvolumeclaim/data-search-2  storageclass.storage.k8s.io \"fast-ssd\" not found"),
    (60, "search", "Warning  FailedScheduling  pod/search-2  0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."),
])

case("quota-exceeded-rollout", "resource_quota_exceeded", "checkout", [
    (0, "checkout", "Warning  FailedCreate  replicaset/checkout-7b9  Error creating: pods \"checkout-7b9-x2v\" is forbidden: exceeded quota: shop-quota, requested: limits.memory=2Gi, used: limits.memory=15Gi, limited: limits.memory=16Gi"),
    (30, "checkout", "Warning  FailedCreate  replicaset/checkout-7b9  Error creating: pods \"checkout-7b9-k8w\" is forbidden: exceeded quota: shop-quota"),
    (31, "reports", "WARN reports: slow export chunk took 9s"),
], unrelated=["reports"])


def main():
    OUT.mkdir(exist_ok=True)
    for k, c in enumerate(CASES):
        d = OUT / c["name"]
        d.mkdir(exist_ok=True)
        services = sorted({s for _, s, _ in c["lines"]})
        lines = list(c["lines"])
        for s in services:
            lines += normal_lines(s, -300, 240, 15, seed=k * 100 + len(s))
        lines.sort(key=lambda l: l[0])
        (d / "logs.txt").write_text("".join(f"{stamp(t)} [{s}] {m}\n" for t, s, m in lines))
        if c["alerts"]:
            (d / "alerts.json").write_text(json.dumps(webhook(c["alerts"]), indent=2) + "\n")
        if c["metrics"]:
            rows = [r for m in c["metrics"] for r in metric_rows(*m)]
            (d / "metrics.csv").write_text("timestamp,series,value\n" + "".join(f"{t},\"{s.replace(chr(34), chr(34) * 2)}\",{v}\n" for t, s, v in rows))
        if c["graph"]:
            (d / "graph.json").write_text(json.dumps({"depends_on": c["graph"]}, indent=2) + "\n")
        expected = {"cause": c["cause"], "root_service": c["root"]}
        if c["unrelated"]:
            expected["unrelated_services"] = c["unrelated"]
        (d / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print(f"{len(CASES)} cases in {OUT}")


if __name__ == "__main__":
    main()
