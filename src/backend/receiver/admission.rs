//! Who gets a connection slot at the receiver's door. Slots are few (each is a descriptor and
//! a task) and a connection holds one from accept to close; before its first request head it
//! has proven nothing. Sockets that connect and say nothing, or dribble half a ClientHello,
//! would otherwise fill every slot for a handshake timeout each and starve the stations: pure
//! slot starvation, with the CPU idle. So, while slots are scarce (fewer than an eighth
//! free), one source address may hold only a few connections that have not yet proven
//! anything: not finished an mTLS handshake, or (without client certificates) not sent a
//! request head. A larger listen backlog
//! keeps stations' connections queued, not dropped, while refused sockets reconnect.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Listen backlog of the receiver's sockets (the kernel caps it at `net.core.somaxconn`): room
/// for a flood of reconnecting sockets and the stations queued among them.
pub const BACKLOG: i32 = 4096;

/// Descriptors kept back from `RLIMIT_NOFILE` for everything that is not a client connection:
/// the database, the operations listener's slots, CRL and log files, the runtime.
pub const RESERVED_FDS: u64 = 128;

/// Connections per source address allowed to wait unproven once the free slots are below an
/// eighth.
pub const DEFAULT_PER_ADDRESS: usize = 16;

/// Connections that have not yet sent a request head, by source address.
pub struct Gate {
    per_address: usize,
    /// Free slots below this (an eighth): the per-address cap applies. Below the pressure, a
    /// busy address (many stations behind one NAT) is never refused.
    scarce_below: usize,
    pending: Mutex<HashMap<IpAddr, usize>>,
}

/// A connection counted against its address until it has proven something (drop it then:
/// after an mTLS handshake, else at its first request head) or it closes.
pub struct Admission {
    gate: Arc<Gate>,
    ip: IpAddr,
}

impl Gate {
    pub fn new(max_connections: usize, per_address: usize) -> Arc<Gate> {
        Arc::new(Gate {
            per_address: per_address.max(1),
            scarce_below: (max_connections / 8).max(1),
            pending: Mutex::new(HashMap::new()),
        })
    }

    /// Admits a connection from `ip` with `free` slots left, or refuses it (the caller closes
    /// it at once). Plenty of slots: everyone; scarce: only addresses under their cap.
    pub fn admit(self: &Arc<Self>, ip: IpAddr, free: usize) -> Option<Admission> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let n = pending.entry(ip).or_insert(0);
        if free < self.scarce_below && *n >= self.per_address {
            return None;
        }
        *n += 1;
        Some(Admission {
            gate: Arc::clone(self),
            ip,
        })
    }

    /// Connections from `ip` waiting for their first request head (tests, metrics).
    pub fn pending(&self, ip: IpAddr) -> usize {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut pending = self.gate.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = pending.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                pending.remove(&self.ip);
            }
        }
    }
}

/// Sets a bound socket's listen backlog to `BACKLOG` (std binds with 128).
pub fn widen_backlog(listener: &std::net::TcpListener) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: listen(2) on a socket we own and have bound; calling it again only updates the
    // backlog.
    if unsafe { libc::listen(listener.as_raw_fd(), BACKLOG) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Raises the open-files soft limit to the hard one and returns the connections that fit
/// under it: `requested`, or fewer when the limit is lower. The second value says what was
/// chosen, for the start-up line.
pub fn fit_connections(requested: usize) -> (usize, String) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit(2) with a valid struct of ours.
    let soft = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return (requested, "open-files limit unknown".into());
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
        lim.rlim_cur
    };
    let room = soft.saturating_sub(RESERVED_FDS).max(1);
    let chosen = (requested as u64).min(room) as usize;
    let why = if chosen < requested {
        format!("{chosen} connections at once (asked {requested}; open-files limit {soft})")
    } else {
        format!("{chosen} connections at once (open-files limit {soft})")
    };
    (chosen, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_is_capped_only_while_slots_are_scarce() {
        let gate = Gate::new(256, 4);
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.1".parse().unwrap();
        // Plenty of slots: no cap.
        let held: Vec<_> = (0..10).map(|_| gate.admit(a, 200).unwrap()).collect();
        assert_eq!(gate.pending(a), 10);
        // Not yet scarce at a quarter free; scarce below an eighth: `a` is over its cap, `b`
        // is not.
        assert!(gate.admit(a, 64).is_some());
        assert!(gate.admit(a, 10).is_none());
        let one = gate.admit(b, 10).unwrap();
        assert_eq!(gate.pending(b), 1);
        drop(held);
        assert_eq!(gate.pending(a), 0);
        assert!(gate.admit(a, 10).is_some());
        drop(one);
        assert_eq!(gate.pending(b), 0);
    }

    #[test]
    fn connections_fit_under_the_open_files_limit() {
        let (n, said) = fit_connections(usize::MAX / 2);
        assert!(n < usize::MAX / 2, "{said}");
        assert!(said.contains("open-files limit"), "{said}");
        let (n, _) = fit_connections(8);
        assert_eq!(n, 8);
    }
}
