//! A value made on another thread and waited for where it is first needed. The demo draws its
//! first frame before its card and backend exist (making their keys takes most of a second,
//! and a citizen reads the terms first anyway): one `Ready` carries both over, and whoever
//! needs them first sleeps on its condition variable until they come, without polling.

use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Ready<T> {
    value: OnceLock<T>,
    lock: Mutex<()>,
    made: Condvar,
}

impl<T> Default for Ready<T> {
    fn default() -> Self {
        Ready {
            value: OnceLock::new(),
            lock: Mutex::new(()),
            made: Condvar::new(),
        }
    }
}

impl<T> Ready<T> {
    /// Hands the value over and wakes everyone waiting for it. Only the first value counts.
    pub fn set(&self, value: T) {
        let _ = self.value.set(value);
        // Under the lock: a waiter between its look and its wait can't miss the wake-up.
        let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.made.notify_all();
    }

    /// The value, if it was handed over.
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// The value, waiting at most `limit` for it.
    pub fn wait(&self, limit: Duration) -> Option<&T> {
        let deadline = Instant::now() + limit;
        let mut held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(v) = self.value.get() {
                return Some(v);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            held = self.made.wait_timeout(held, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_waiter_wakes_when_the_value_comes_and_not_before() {
        let r: Arc<Ready<u32>> = Arc::default();
        assert_eq!(r.wait(Duration::from_millis(20)), None);
        let waiter = {
            let r = Arc::clone(&r);
            std::thread::spawn(move || r.wait(Duration::from_secs(60)).copied())
        };
        r.set(7);
        r.set(8);
        // Woken by the value, long before its limit (a poll would not matter here; a missed
        // wake-up would hang the test for a minute).
        assert_eq!(waiter.join().unwrap(), Some(7));
        assert_eq!(r.get(), Some(&7));
    }
}
