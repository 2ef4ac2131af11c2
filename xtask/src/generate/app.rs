//! Application-log events: `ISO-timestamp LEVEL [component] message`, where the
//! message is one of a few dozen templates filled with ids, numbers, addresses and
//! durations, so that grouping lines by template has real work to do. Some errors
//! carry a Java-style stack trace on the following lines.

use super::access::push_iso_millis;
use super::clock::Clock;
use super::rng::Rng;
use super::text::{USERS, WORDS, push_hex, push_json_escaped, push_padded, push_u64, push_uuid};
use super::world::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    fn padded(self) -> &'static [u8] {
        match self {
            Level::Debug => b"DEBUG",
            Level::Info => b"INFO ",
            Level::Warn => b"WARN ",
            Level::Error => b"ERROR",
        }
    }

    fn lower(self) -> &'static [u8] {
        match self {
            Level::Debug => b"debug",
            Level::Info => b"info",
            Level::Warn => b"warn",
            Level::Error => b"error",
        }
    }
}

/// One application event; its message is in the caller's buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AppEvent {
    pub(crate) level: Level,
    pub(crate) component: &'static [u8],
    /// An error that comes with a stack trace on the next lines.
    pub(crate) trace: Option<Trace>,
}

/// Weights of the templates in [`sample`], most frequent first.
const TEMPLATE_WEIGHTS: &[u32] = &[
    300, 120, 90, 80, 70, 40, 30, 40, 30, 25, 20, 12, 10, 8, 8, 6, 5, 4, 4, 3, 3, 2, 1,
];

fn ms(rng: &mut Rng, mean: f64) -> u64 {
    1 + rng.exp(mean) as u64
}

fn push_ip(buf: &mut Vec<u8>, world: &World, rng: &mut Rng) {
    buf.extend_from_slice(world.client_bytes(world.sample_client(rng)));
}

fn push_amount(buf: &mut Vec<u8>, rng: &mut Rng) {
    push_u64(buf, rng.range(1, 900));
    buf.push(b'.');
    push_padded(buf, rng.below(100), 2);
}

fn push_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(s.as_bytes());
}

/// Draws an event and writes its message (no timestamp, level or component) to `msg`.
pub(crate) fn sample(world: &World, rng: &mut Rng, msg: &mut Vec<u8>) -> AppEvent {
    let t = rng.weighted(TEMPLATE_WEIGHTS);
    let mut ev = AppEvent {
        level: Level::Info,
        component: b"http.server",
        trace: None,
    };
    let m = msg;
    match t {
        0 => {
            let methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
            push_str(m, "Completed ");
            push_str(m, methods[rng.index(methods.len())]);
            push_str(m, " /api/v1/orders/");
            push_u64(m, rng.range(10_000, 999_999));
            push_str(m, " in ");
            push_u64(m, ms(rng, 30.0));
            push_str(m, " ms status=");
            push_u64(m, if rng.chance(0.97) { 200 } else { 500 });
        }
        1 => {
            ev.level = Level::Debug;
            ev.component = b"db.pool";
            push_str(m, "Acquired connection ");
            push_u64(m, rng.below(64));
            push_str(m, " from pool (active=");
            push_u64(m, rng.below(32));
            push_str(m, ", idle=");
            push_u64(m, rng.below(16));
            push_str(m, ")");
        }
        2 => {
            ev.level = Level::Debug;
            ev.component = b"cache";
            push_str(m, "Cache miss for key user:");
            push_u64(m, rng.range(1_000, 999_999));
            push_str(m, ":profile");
        }
        3 => {
            ev.level = Level::Debug;
            ev.component = b"cache";
            push_str(m, "Cache hit for key product:");
            push_u64(m, rng.range(1_000, 99_999));
            push_str(m, " (ttl=");
            push_u64(m, rng.range(1, 3600));
            push_str(m, "s)");
        }
        4 => {
            ev.component = b"http.server";
            push_str(m, "Accepted connection from ");
            push_ip(m, world, rng);
            push_str(m, " port ");
            push_u64(m, rng.range(1024, 65535));
        }
        5 => {
            ev.component = b"orders";
            push_str(m, "Order ");
            push_u64(m, rng.range(100_000, 9_999_999));
            push_str(m, " created for customer ");
            push_u64(m, rng.range(1_000, 999_999));
            push_str(m, " total=");
            push_amount(m, rng);
            push_str(m, " EUR items=");
            push_u64(m, rng.range(1, 12));
        }
        6 => {
            ev.component = b"payments";
            push_str(m, "Payment ");
            push_uuid(m, rng.next_u64(), rng.next_u64());
            push_str(m, " captured amount=");
            push_amount(m, rng);
            push_str(m, " currency=EUR");
        }
        7 => {
            ev.component = b"auth";
            push_str(m, "User ");
            push_str(m, USERS[rng.index(USERS.len())]);
            push_str(m, " logged in from ");
            push_ip(m, world, rng);
        }
        8 => {
            ev.component = b"scheduler";
            let jobs = [
                "reindex",
                "sitemap",
                "invoice-batch",
                "cleanup-carts",
                "sync-stock",
            ];
            push_str(m, "Job ");
            push_str(m, jobs[rng.index(jobs.len())]);
            push_str(m, "-");
            push_u64(m, rng.range(1, 99_999));
            push_str(m, " finished in ");
            push_u64(m, ms(rng, 2_000.0));
            push_str(m, " ms");
        }
        9 => {
            ev.component = b"kafka.consumer";
            push_str(m, "Committed offset ");
            push_u64(m, rng.range(1_000_000, 99_999_999));
            push_str(m, " for partition orders-");
            push_u64(m, rng.below(24));
        }
        10 => {
            ev.level = Level::Debug;
            ev.component = b"gc";
            push_str(m, "GC pause ");
            push_u64(m, ms(rng, 8.0));
            push_str(m, ".");
            push_u64(m, rng.below(10));
            push_str(m, " ms, heap ");
            let before = rng.range(300, 4000);
            push_u64(m, before);
            push_str(m, " MB -> ");
            push_u64(m, before / 2 + rng.below(before / 3 + 1));
            push_str(m, " MB");
        }
        11 => {
            ev.level = Level::Warn;
            ev.component = b"db.pool";
            push_str(m, "Slow query took ");
            push_u64(m, 500 + ms(rng, 1_500.0));
            push_str(m, " ms: SELECT * FROM orders WHERE customer_id = ");
            push_u64(m, rng.range(1_000, 999_999));
            push_str(m, " ORDER BY created_at DESC LIMIT ");
            push_u64(m, rng.range(10, 100));
        }
        12 => {
            ev.level = Level::Warn;
            ev.component = b"auth";
            push_str(m, "Failed login for user ");
            push_str(m, USERS[rng.index(USERS.len())]);
            push_str(m, " from ");
            push_ip(m, world, rng);
            push_str(m, ": invalid password (attempt ");
            push_u64(m, rng.range(1, 5));
            push_str(m, "/5)");
        }
        13 => {
            ev.component = b"search";
            push_str(m, "Query \"");
            push_str(m, WORDS[rng.index(WORDS.len())]);
            push_str(m, " ");
            push_str(m, WORDS[rng.index(WORDS.len())]);
            push_str(m, "\" returned ");
            push_u64(m, rng.below(5_000));
            push_str(m, " hits in ");
            push_u64(m, ms(rng, 20.0));
            push_str(m, " ms");
        }
        14 => {
            ev.component = b"mailer";
            push_str(m, "Sent email template=order_confirmation to customer ");
            push_u64(m, rng.range(1_000, 999_999));
            push_str(m, " in ");
            push_u64(m, ms(rng, 300.0));
            push_str(m, " ms");
        }
        15 => {
            ev.level = Level::Error;
            ev.component = b"payments";
            let reasons = [
                ("05", "do not honour"),
                ("51", "insufficient funds"),
                ("54", "expired card"),
                ("91", "issuer unavailable"),
            ];
            let (code, why) = reasons[rng.index(reasons.len())];
            push_str(m, "Payment ");
            push_uuid(m, rng.next_u64(), rng.next_u64());
            push_str(m, " declined by provider: code=");
            push_str(m, code);
            push_str(m, " (");
            push_str(m, why);
            push_str(m, ")");
        }
        16 => {
            ev.level = Level::Error;
            ev.component = b"grpc.client";
            push_str(m, "Call inventory.Reserve failed after ");
            push_u64(m, 1_000 + ms(rng, 2_000.0));
            push_str(m, " ms: DEADLINE_EXCEEDED (retry ");
            push_u64(m, rng.range(1, 3));
            push_str(m, "/3)");
            if rng.chance(0.6) {
                ev.trace = Some(Trace::new(rng));
            }
        }
        17 => {
            ev.level = Level::Warn;
            ev.component = b"ratelimit";
            push_str(m, "Rate limit exceeded for ");
            push_ip(m, world, rng);
            push_str(m, ": ");
            push_u64(m, rng.range(101, 5_000));
            push_str(m, " requests in 60 s");
        }
        18 => {
            ev.level = Level::Debug;
            ev.component = b"session";
            push_str(m, "Session ");
            push_hex(m, rng.next_u64(), 16);
            push_str(m, " expired after ");
            push_u64(m, rng.range(900, 86_400));
            push_str(m, " s idle");
        }
        19 => {
            ev.component = b"s3.upload";
            push_str(m, "Uploaded object invoices/2025/");
            push_u64(m, rng.range(100_000, 9_999_999));
            push_str(m, ".pdf (");
            push_u64(m, rng.range(20_000, 900_000));
            push_str(m, " bytes) in ");
            push_u64(m, ms(rng, 150.0));
            push_str(m, " ms");
        }
        20 => {
            ev.level = Level::Warn;
            ev.component = b"webhooks";
            push_str(m, "Webhook delivery ");
            push_uuid(m, rng.next_u64(), rng.next_u64());
            push_str(m, " to https://hooks.partner");
            push_u64(m, rng.range(1, 40));
            push_str(m, ".example/notify failed: HTTP ");
            push_u64(m, [500u64, 502, 503, 504, 410][rng.index(5)]);
            push_str(m, ", retrying in ");
            push_u64(m, 1 << rng.below(8));
            push_str(m, " s");
        }
        21 => {
            ev.level = Level::Error;
            ev.component = b"inventory";
            push_str(m, "Stock for SKU ");
            push_str(m, WORDS[rng.index(WORDS.len())]);
            push_str(m, "-");
            push_u64(m, rng.range(1_000, 99_999));
            push_str(m, " went negative: ");
            push_str(m, "-");
            push_u64(m, rng.range(1, 20));
            ev.trace = Some(Trace::new(rng));
        }
        _ => {
            ev.component = b"config";
            push_str(
                m,
                "Reloaded configuration from /etc/shop/app.yaml (version ",
            );
            push_u64(m, rng.range(100, 999));
            push_str(m, ")");
        }
    }
    ev
}

/// A long message: a request payload dumped into the log, 10 KiB to 256 KiB.
pub(crate) fn long_message(rng: &mut Rng, msg: &mut Vec<u8>) -> AppEvent {
    let len = rng.range(10 * 1024, 256 * 1024) as usize;
    msg.extend_from_slice(b"Rejected oversized request body, dumping payload: {\"items\":[");
    while msg.len() < len {
        msg.extend_from_slice(b"{\"sku\":\"");
        push_str(msg, WORDS[rng.index(WORDS.len())]);
        msg.push(b'-');
        push_u64(msg, rng.range(1_000, 99_999));
        msg.extend_from_slice(b"\",\"qty\":");
        push_u64(msg, rng.range(1, 9));
        msg.extend_from_slice(b"},");
    }
    msg.extend_from_slice(b"{}]}");
    AppEvent {
        level: Level::Warn,
        component: b"http.server",
        trace: None,
    }
}

/// `2025-03-14T06:25:01.123Z INFO  [component] message`
pub(crate) fn write_text(ev: &AppEvent, msg: &[u8], clock: &Clock, line: &mut Vec<u8>) {
    push_iso_millis(line, clock, b"Z");
    line.push(b' ');
    line.extend_from_slice(ev.level.padded());
    line.extend_from_slice(b" [");
    line.extend_from_slice(ev.component);
    line.extend_from_slice(b"] ");
    line.extend_from_slice(msg);
}

/// `{"time":"...","level":"info","component":"...","msg":"..."}`
pub(crate) fn write_json(ev: &AppEvent, msg: &[u8], clock: &Clock, line: &mut Vec<u8>) {
    line.extend_from_slice(b"{\"time\":\"");
    push_iso_millis(line, clock, b"Z");
    line.extend_from_slice(b"\",\"level\":\"");
    line.extend_from_slice(ev.level.lower());
    line.extend_from_slice(b"\",\"component\":\"");
    line.extend_from_slice(ev.component);
    line.extend_from_slice(b"\",\"msg\":\"");
    push_json_escaped(line, msg);
    line.extend_from_slice(b"\"}");
}

const EXCEPTIONS: &[&str] = &[
    "io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 2.999s",
    "java.lang.IllegalStateException: stock level below zero",
    "java.net.SocketTimeoutException: Read timed out",
];

const FRAMES: &[&str] = &[
    "io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:268)",
    "io.grpc.stub.ClientCalls.getUnchecked(ClientCalls.java:249)",
    "com.example.shop.inventory.InventoryClient.reserve(InventoryClient.java:88)",
    "com.example.shop.orders.OrderService.placeOrder(OrderService.java:142)",
    "com.example.shop.orders.OrderController.create(OrderController.java:57)",
    "jdk.internal.reflect.GeneratedMethodAccessor212.invoke(Unknown Source)",
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)",
    "org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1191)",
    "java.base/java.lang.Thread.run(Thread.java:1583)",
];

/// The continuation lines of one stack trace, emitted one per call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trace {
    exception: u8,
    frames: u8,
    step: u8,
}

impl Trace {
    fn new(rng: &mut Rng) -> Self {
        Trace {
            exception: rng.index(EXCEPTIONS.len()) as u8,
            frames: rng.range(3, FRAMES.len() as u64) as u8,
            step: 0,
        }
    }

    /// Writes the next continuation line; returns false when the trace is done (and
    /// writes nothing).
    pub(crate) fn next_line(&mut self, line: &mut Vec<u8>) -> bool {
        let step = self.step;
        if step > self.frames {
            return false;
        }
        self.step += 1;
        if step == 0 {
            push_str(line, EXCEPTIONS[usize::from(self.exception)]);
        } else if step == self.frames && self.frames < FRAMES.len() as u8 {
            push_str(line, "\t... ");
            push_u64(line, u64::from(FRAMES.len() as u8 - self.frames + 1) * 7);
            push_str(line, " more");
        } else {
            push_str(line, "\tat ");
            push_str(line, FRAMES[usize::from(step - 1)]);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_has_header_frames_and_ends() {
        let mut rng = Rng::new(9);
        let mut t = Trace::new(&mut rng);
        let mut lines = Vec::new();
        loop {
            let mut l = Vec::new();
            if !t.next_line(&mut l) {
                break;
            }
            lines.push(String::from_utf8(l).unwrap_or_default());
        }
        assert_eq!(lines.len(), usize::from(t.frames) + 1);
        assert!(!lines[0].starts_with('\t'));
        assert!(lines[1..].iter().all(|l| l.starts_with('\t')));
    }

    #[test]
    fn json_messages_are_escaped() {
        let world = World::new(1);
        let mut rng = Rng::new(2);
        let clock = Clock::new();
        for _ in 0..2_000 {
            let mut msg = Vec::new();
            let ev = sample(&world, &mut rng, &mut msg);
            let mut line = Vec::new();
            write_json(&ev, &msg, &clock, &mut line);
            // Quotes inside messages (the search template) must arrive escaped.
            let unescaped = line
                .windows(2)
                .filter(|w| w[1] == b'"' && w[0] != b'\\')
                .count();
            assert_eq!(unescaped % 2, 0, "{}", String::from_utf8_lossy(&line));
        }
    }
}
