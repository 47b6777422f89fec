//! Serves a [`VirtualCard`] to a real pcscd through the vsmartcard `vpcd` reader driver.
//!
//! vpcd listens on TCP (127.0.0.1:35963 for "Virtual PCD 00 00", :35964 for "00 01"); the
//! card side connects. Every message is a 2-byte big-endian length and that many bytes. A
//! 1-byte message is control: 0 power off, 1 power on, 2 reset, 4 "send your ATR". Anything
//! longer is a command APDU, answered with `data || SW1 SW2`. Closing the connection is the
//! card leaving the reader.

use super::VirtualCard;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const DEFAULT_PORT: u16 = 35963;

#[derive(Clone, Debug)]
pub struct BridgeOptions {
    pub host: String,
    pub port: u16,
    /// Sleep this long before answering each APDU (slow reader / card).
    pub apdu_delay: Duration,
    /// Close the connection instead of answering the n+1-th APDU (card pulled mid-read).
    pub drop_after: Option<u32>,
    /// Write the card's counters as JSON here after every APDU.
    pub stats_file: Option<PathBuf>,
    /// How long to keep trying to reach vpcd at start.
    pub connect_timeout: Duration,
}

impl Default for BridgeOptions {
    fn default() -> BridgeOptions {
        BridgeOptions {
            host: "127.0.0.1".into(),
            port: DEFAULT_PORT,
            apdu_delay: Duration::ZERO,
            drop_after: None,
            stats_file: None,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error("cannot reach vpcd at {addr} (is pcscd running with the vsmartcard-vpcd driver?): {source}")]
    Connect { addr: String, source: std::io::Error },
    #[error("vpcd connection failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Why [`serve`] returned without an error.
#[derive(Debug, PartialEq, Eq)]
pub enum BridgeEnd {
    /// pcscd closed the connection (stopped or restarted).
    ReaderClosed,
    /// We dropped the connection as `drop_after` asked.
    Dropped { after: u32 },
}

fn connect(opts: &BridgeOptions) -> Result<TcpStream, BridgeError> {
    let addr = format!("{}:{}", opts.host, opts.port);
    let deadline = Instant::now() + opts.connect_timeout;
    loop {
        match TcpStream::connect(&addr) {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() >= deadline => return Err(BridgeError::Connect { addr, source: e }),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// vpcd writes a frame's length and its payload in two small sends with Nagle on; with our
/// delayed ACK that costs ~40 ms per APDU. Asking for immediate ACKs (Linux re-arms delayed ACK
/// after each use, so we ask before every read) makes the virtual card as fast as a real one.
fn quick_ack(s: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: valid socket fd, option value is a c_int that outlives the call.
        unsafe {
            libc::setsockopt(
                s.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_QUICKACK,
                &one as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = s;
}

fn write_frame(s: &mut TcpStream, payload: &[u8]) -> std::io::Result<()> {
    let len = u16::try_from(payload.len()).map_err(|_| std::io::Error::other("frame too long"))?;
    // The frame carries card answers (personal data): wipe it after sending.
    let mut frame = zeroize::Zeroizing::new(Vec::with_capacity(payload.len() + 2));
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    s.write_all(&frame)
}

fn write_stats(card: &VirtualCard, path: &Option<PathBuf>) {
    let Some(path) = path else { return };
    let json = match card.stats().lock() {
        Ok(s) => serde_json::to_vec(&*s).unwrap_or_default(),
        Err(_) => return,
    };
    // Write-then-rename so a reader never sees half a file.
    let tmp = path.with_extension("tmp");
    if std::fs::write(&tmp, json).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

/// Connects to vpcd and serves `card` until the connection ends. Blocks.
pub fn serve(card: &mut VirtualCard, opts: &BridgeOptions) -> Result<BridgeEnd, BridgeError> {
    let stream = connect(opts)?;
    serve_stream(card, stream, opts)
}

/// Serves `card` on a connection already made to vpcd (so a caller can time the insertion,
/// or pull the card by shutting a clone of the stream down).
pub fn serve_stream(
    card: &mut VirtualCard,
    mut stream: TcpStream,
    opts: &BridgeOptions,
) -> Result<BridgeEnd, BridgeError> {
    stream.set_nodelay(true)?;
    tracing::info!(host = %opts.host, port = opts.port, "virtual card inserted into vpcd");
    write_stats(card, &opts.stats_file);
    let mut apdus = 0u32;
    loop {
        let mut len = [0u8; 2];
        quick_ack(&stream);
        match stream.read_exact(&mut len) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                return Ok(BridgeEnd::ReaderClosed)
            }
            Err(e) => return Err(e.into()),
        }
        let len = u16::from_be_bytes(len) as usize;
        let mut msg = zeroize::Zeroizing::new(vec![0u8; len]);
        quick_ack(&stream);
        stream.read_exact(&mut msg)?;
        if len == 1 {
            match msg[0] {
                // Power off and power on clear everything verified; a warm reset keeps it (see
                // the module doc of `vcard`).
                0 => card.power_down(),
                1 => card.power_on(),
                2 => card.reset(),
                4 => {
                    let atr = card.atr().to_vec();
                    write_frame(&mut stream, &atr)?;
                }
                other => tracing::warn!(control = other, "unknown vpcd control byte"),
            }
            continue;
        }
        if opts.drop_after.is_some_and(|n| apdus >= n) {
            tracing::info!(after = apdus, "dropping the connection: card pulled");
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return Ok(BridgeEnd::Dropped { after: apdus });
        }
        if !opts.apdu_delay.is_zero() {
            std::thread::sleep(opts.apdu_delay);
        }
        let resp = card.process(&msg);
        apdus += 1;
        write_frame(&mut stream, &resp)?;
        write_stats(card, &opts.stats_file);
    }
}
