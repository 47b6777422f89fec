//! `madoguchi generate man DIR | completions SHELL` (not listed anywhere): the man pages and
//! shell completions of the Debian package, made from the CLI definition itself so they never
//! drift from `--help`. `pkg/build-deb` runs it.

use super::{EXIT_INTERNAL, EXIT_OK};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum GenerateCmd {
    /// Write madoguchi.1 and one page per command (madoguchi-receive.1, …) into DIR.
    Man { dir: PathBuf },
    /// Print the completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

pub fn run(cmd: clap::Command, what: GenerateCmd) -> u8 {
    match what {
        GenerateCmd::Man { dir } => {
            // The process umask is 077 (harden): the pages are public, say so.
            use std::os::unix::fs::PermissionsExt;
            let public = |p: &std::path::Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
            let made = (if dir.exists() {
                Ok(())
            } else {
                std::fs::create_dir_all(&dir).and_then(|()| public(&dir, 0o755))
            })
            .and_then(|()| clap_mangen::generate_to(cmd, &dir))
            .and_then(|()| {
                for e in std::fs::read_dir(&dir)? {
                    let p = e?.path();
                    if p.extension().is_some_and(|x| x == "1") {
                        public(&p, 0o644)?;
                    }
                }
                Ok(())
            });
            match made {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    eprintln!("madoguchi generate man: {}: {e}", dir.display());
                    EXIT_INTERNAL
                }
            }
        }
        GenerateCmd::Completions { shell } => {
            let mut cmd = cmd;
            let name = cmd.get_name().to_string();
            clap_complete::generate(shell, &mut cmd, name, &mut std::io::stdout());
            EXIT_OK
        }
    }
}
