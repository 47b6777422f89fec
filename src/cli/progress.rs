//! Progress of long work (`outbox flush`, `receive import`): on a terminal one line redrawn in
//! place with a bar and the running counts; otherwise (a script, a log) one plain line per item.

use std::io::{IsTerminal, Write};

pub struct Progress {
    total: usize,
    done: usize,
    tty: bool,
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        Progress {
            total,
            done: 0,
            tty: std::io::stdout().is_terminal(),
        }
    }

    /// One item done: `id` and its `outcome` (a plain line off a terminal), `counts` (on the bar).
    /// Both are escaped: an id can come from a file anyone wrote (`receive import`), and a
    /// pipe (`| tee`) ends on a terminal too.
    pub fn step(&mut self, id: &str, outcome: &str, counts: &str) {
        use madoguchi::text::escape_untrusted as esc;
        self.done += 1;
        if !self.tty {
            println!("{} {}", esc(id), esc(outcome));
            return;
        }
        print!("\r{}", bar(self.done, self.total, counts));
        let _ = std::io::stdout().flush();
    }

    /// A line that must stay visible (a record needing review), printed above the bar. The
    /// caller escapes what came from outside.
    pub fn note(&self, line: &str) {
        if self.tty {
            print!("\r\x1b[2K");
        }
        println!("{line}");
    }

    pub fn done(&self) {
        if self.tty && self.total > 0 {
            println!();
        }
    }
}

fn bar(done: usize, total: usize, counts: &str) -> String {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH).min(WIDTH);
    format!(
        "[{}{}] {done}/{total}  {counts}",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bar_fills_in_proportion() {
        assert_eq!(super::bar(0, 4, "x"), format!("[{}] 0/4  x", "-".repeat(30)));
        assert_eq!(
            super::bar(2, 4, "x"),
            format!("[{}{}] 2/4  x", "#".repeat(15), "-".repeat(15))
        );
        assert_eq!(super::bar(4, 4, "x"), format!("[{}] 4/4  x", "#".repeat(30)));
        assert_eq!(super::bar(0, 0, "x"), format!("[{}] 0/0  x", "#".repeat(30)));
    }
}
