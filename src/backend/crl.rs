//! The receiver's CRLs over their lifetime: several (files or directories), each matched to
//! its issuer and checked against the trusted CAs' signatures; reloaded on demand (SIGHUP) and
//! when a file changes; and a CRL past its nextUpdate plus a grace says nothing — the answer is
//! 503 `CRL_STALE`, never "not revoked" from a list that may be missing a revocation. A CRL
//! speaks only for the certificates it covers: those of the CA key that signed it (not another
//! generation under the same DN) and, for a partitioned CRL (issuingDistributionPoint; J-LIS
//! publishes one per municipality), those naming its distribution point.

use openssl::x509::{CrlStatus, X509Crl, X509};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

/// One CRL as readiness and metrics see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlState {
    /// The issuer's name, `CN=…, O=…` (a CA's name, not a person's), with the first bytes of
    /// its key identifier when it has one.
    pub issuer: String,
    pub age_secs: i64,
    pub fresh: bool,
}

/// What the CRLs say about one certificate.
#[derive(Debug, PartialEq, Eq)]
pub enum Revocation {
    NotRevoked,
    Revoked,
    /// No current CRL for the certificate's issuer (stale, or none at all).
    Stale,
}

pub struct CrlSource {
    paths: Vec<PathBuf>,
    /// The CAs a CRL must be signed by (replaced when the receiver reloads its trust file).
    trust: RwLock<Vec<X509>>,
    grace: Duration,
    crls: RwLock<Vec<Entry>>,
    /// Modification times at the last load, to notice a changed file.
    stamps: Mutex<Vec<(PathBuf, Option<SystemTime>)>>,
    /// Files of the directories the last load did not read (see `scan`).
    skipped: Mutex<Vec<PathBuf>>,
}

/// One CRL in use: the CA (of `trust`) whose key signed it, and the partition it covers.
struct Entry {
    crl: X509Crl,
    signer: X509,
    /// The issuingDistributionPoint's name (DER); `None`: a full CRL of its issuer.
    partition: Option<Vec<u8>>,
}

impl Entry {
    /// Whether this CRL speaks for `cert` at all.
    fn covers(&self, cert: &openssl::x509::X509Ref) -> bool {
        super::trust::issued_by(cert, &self.signer) && super::trust::partition_covers(self.partition.as_deref(), cert)
    }

    fn fresh(&self, now: i64, grace: Duration) -> bool {
        self.crl
            .next_update()
            .and_then(unix)
            .is_some_and(|next| now <= next + grace.as_secs() as i64)
    }

    fn lists(&self, cert: &openssl::x509::X509Ref) -> bool {
        matches!(self.crl.get_by_serial(cert.serial_number()), CrlStatus::Revoked(_))
    }
}

/// A reload read but not yet in use: `CrlSource::commit` puts it in place, so a receiver can
/// read all its trust material first and change nothing when any of it fails.
pub struct Staged {
    trust: Option<Vec<X509>>,
    crls: Vec<Entry>,
    stamps: Vec<(PathBuf, Option<SystemTime>)>,
    skipped: Vec<PathBuf>,
}

/// The files a load reads, and the others of the `--crl` directories. Of a directory: its
/// `*.crl`, `*.pem` and `*.der` files; hidden ones (a downloader's `.sign.crl.part`) are not
/// read and not named; the rest (`sign.crl.tmp`, a README) are named as not read, so a
/// directory of `*.crl.1` files does not pass for one without CRLs.
fn scan(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut read, mut skipped) = (Vec::new(), Vec::new());
    for p in paths {
        let (r, s) = super::trust::files_of(p, &super::trust::CRL_EXTS).unwrap_or_default();
        read.extend(r);
        skipped.extend(s);
    }
    (read, skipped)
}

fn unix(t: &openssl::asn1::Asn1TimeRef) -> Option<i64> {
    super::trust::asn1_unix(t)
}

impl CrlSource {
    /// Loads every CRL (PEM or DER); each must be signed by one of `trust`.
    pub fn load(paths: Vec<PathBuf>, trust: Vec<X509>, grace: Duration) -> Result<Arc<CrlSource>, String> {
        let src = CrlSource {
            paths,
            trust: RwLock::new(trust),
            grace,
            crls: RwLock::new(Vec::new()),
            stamps: Mutex::new(Vec::new()),
            skipped: Mutex::new(Vec::new()),
        };
        src.reload()?;
        Ok(Arc::new(src))
    }

    /// Files of the directories given that the last load did not read (see `scan`).
    pub fn skipped(&self) -> Vec<PathBuf> {
        self.skipped.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Reads the files again; on any error the CRLs in use stay as they were.
    pub fn reload(&self) -> Result<usize, String> {
        let staged = self.stage(None)?;
        Ok(self.commit(staged))
    }

    /// Reads the files, checked against `trust` (the CAs just read again) or the CAs in use,
    /// without changing what is in use.
    pub fn stage(&self, trust: Option<Vec<X509>>) -> Result<Staged, String> {
        let mut crls = Vec::new();
        let mut stamps = Vec::new();
        let current = self.trust.read().map_err(|_| "CRL trust poisoned".to_string())?;
        let cas: &[X509] = trust.as_deref().unwrap_or(&current);
        let (files, skipped) = scan(&self.paths);
        for f in files {
            for crl in super::trust::load_crl_file(&f)? {
                // The generation whose key signed it, not the first CA with its name.
                let signer = cas
                    .iter()
                    .find(|ca| super::trust::crl_issued_by(&crl, ca))
                    .ok_or_else(|| format!("{}: not signed by a trusted CA", f.display()))?
                    .clone();
                let partition = super::trust::crl_partition(&crl);
                crls.push(Entry { crl, signer, partition });
            }
            stamps.push((f.clone(), std::fs::metadata(&f).and_then(|m| m.modified()).ok()));
        }
        drop(current);
        Ok(Staged {
            trust,
            crls,
            stamps,
            skipped,
        })
    }

    /// Puts a staged reload in use; returns how many CRLs are in use now.
    pub fn commit(&self, staged: Staged) -> usize {
        let n = staged.crls.len();
        if let Some(t) = staged.trust {
            if let Ok(mut cur) = self.trust.write() {
                *cur = t;
            }
        }
        if let Ok(mut c) = self.crls.write() {
            *c = staged.crls;
        }
        if let Ok(mut s) = self.stamps.lock() {
            *s = staged.stamps;
        }
        tracing::info!(crls = n, "CRLs loaded");
        for f in &staged.skipped {
            tracing::warn!(file = %f.display(), "not read as a CRL: only *.crl, *.pem and *.der are");
        }
        if let Ok(mut s) = self.skipped.lock() {
            *s = staged.skipped;
        }
        n
    }

    /// Reloads when a file appeared, went or changed since the last load.
    pub fn reload_if_changed(&self) {
        let now: Vec<(PathBuf, Option<SystemTime>)> = scan(&self.paths)
            .0
            .into_iter()
            .map(|f| {
                let m = std::fs::metadata(&f).and_then(|m| m.modified()).ok();
                (f, m)
            })
            .collect();
        let changed = self.stamps.lock().map(|s| *s != now).unwrap_or(false);
        if changed {
            if let Err(e) = self.reload() {
                tracing::warn!(error = %e, "CRL reload failed; the previous CRLs stay in use");
                // Said on stderr too (the journal): without --log-file nobody would know.
                eprintln!(
                    "madoguchi receive: CRL reload failed, the previous CRLs stay in use: {}",
                    crate::text::escape_untrusted(&e)
                );
                // Said once: tried again when a file changes again, not every few seconds.
                if let Ok(mut s) = self.stamps.lock() {
                    *s = now;
                }
            }
        }
    }

    /// Watches the files every `every` on a thread of its own.
    pub fn watch(self: &Arc<Self>, every: Duration) {
        let me = Arc::clone(self);
        let _ = std::thread::Builder::new()
            .name("crl-watch".into())
            .spawn(move || loop {
                std::thread::sleep(every);
                me.reload_if_changed();
            });
    }

    /// The revocation status of `cert` by the CRLs that cover it: fresh and listing it →
    /// revoked; fresh and not listing it → not revoked; no fresh one covering it → stale.
    pub fn status(&self, cert: &X509) -> Revocation {
        let Ok(crls) = self.crls.read() else {
            return Revocation::Stale;
        };
        let now = crate::time::unix_ms() / 1000;
        let mut current = false;
        for e in crls.iter().filter(|e| e.covers(cert)) {
            if !e.fresh(now, self.grace) {
                continue;
            }
            current = true;
            if e.lists(cert) {
                return Revocation::Revoked;
            }
        }
        if current {
            Revocation::NotRevoked
        } else {
            Revocation::Stale
        }
    }

    /// Whether a CRL covering the certificate lists it, fresh or not: a revocation stays
    /// true after the list's nextUpdate. For station certificates.
    pub fn listed(&self, cert: &openssl::x509::X509Ref) -> bool {
        let Ok(crls) = self.crls.read() else {
            return true;
        };
        crls.iter().any(|e| e.covers(cert) && e.lists(cert))
    }

    /// The CAs CRLs are checked against, after the receiver read its trust file again
    /// (call `reload` next).
    pub fn set_trust(&self, trust: Vec<X509>) {
        if let Ok(mut t) = self.trust.write() {
            *t = trust;
        }
    }

    /// Each CRL in use: its issuer, age (seconds since thisUpdate) and whether it still
    /// answers (not past nextUpdate + grace). For readiness and metrics; no certificate data.
    pub fn states(&self) -> Vec<CrlState> {
        let Ok(crls) = self.crls.read() else {
            return Vec::new();
        };
        let now = crate::time::unix_ms() / 1000;
        crls.iter()
            .map(|Entry { crl: c, signer, .. }| CrlState {
                // Generations share one DN: the signer's key identifier tells them apart.
                issuer: match signer.subject_key_id() {
                    Some(k) => format!(
                        "{} (key {})",
                        super::trust::name_text(c.issuer_name()),
                        k.as_slice()
                            .iter()
                            .take(4)
                            .map(|b| format!("{b:02X}"))
                            .collect::<String>()
                    ),
                    None => super::trust::name_text(c.issuer_name()),
                },
                age_secs: unix(c.last_update()).map_or(-1, |t| now - t),
                fresh: c
                    .next_update()
                    .and_then(unix)
                    .is_some_and(|next| now <= next + self.grace.as_secs() as i64),
            })
            .collect()
    }

    /// Age of the newest CRL in use (seconds since its thisUpdate), for readiness and metrics.
    pub fn newest_age_secs(&self) -> Option<i64> {
        let crls = self.crls.read().ok()?;
        let now = crate::time::unix_ms() / 1000;
        crls.iter()
            .filter_map(|e| unix(e.crl.last_update()))
            .max()
            .map(|t| now - t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_gives_its_crl_files_not_readmes_or_half_downloads() {
        let pki = crate::card::vcard::pki::TestPki::generate().unwrap();
        let dir = std::env::temp_dir().join(format!("madoguchi-crl-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let crl = pki.signing_crl(&[]).unwrap();
        std::fs::write(dir.join("sign.crl"), crl.to_pem().unwrap()).unwrap();
        std::fs::write(dir.join("README"), b"CRLs from J-LIS, refreshed hourly").unwrap();
        std::fs::write(dir.join(".sign.crl.part"), b"-----BEGIN X509 CRL-----\nMIIB").unwrap();
        std::fs::write(dir.join("sign.crl.tmp"), b"half").unwrap();
        let src = CrlSource::load(
            vec![dir.clone()],
            vec![pki.sign_ca.cert.clone()],
            Duration::from_secs(3600),
        )
        .unwrap();
        assert_eq!(src.reload().unwrap(), 1);
        // What is not read is said (the hidden download aside).
        assert_eq!(src.skipped(), vec![dir.join("README"), dir.join("sign.crl.tmp")]);
        // A file that claims to be a CRL and is not fails the reload (what was in use stays).
        std::fs::write(dir.join("auth.der"), b"junk").unwrap();
        assert!(src.reload().unwrap_err().contains("auth.der"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_crl_of_another_generation_under_the_same_dn_is_not_applied() {
        use crate::card::vcard::profile::Profile;
        let gens: Vec<_> = (0..2)
            .map(|_| crate::card::vcard::pki::TestPki::generate().unwrap())
            .collect();
        let cert = gens[1]
            .issue(&Profile::named("yamada").unwrap())
            .unwrap()
            .sign_cert
            .unwrap();
        let dir = std::env::temp_dir().join(format!("madoguchi-crl-gen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // Generation 0's CRL lists the serial of generation 1's certificate.
        let wrong = gens[0].signing_crl(&[cert.serial_number()]).unwrap();
        std::fs::write(dir.join("gen0.crl"), wrong.to_der().unwrap()).unwrap();
        let trust: Vec<X509> = gens.iter().map(|g| g.sign_ca.cert.clone()).collect();
        let src = CrlSource::load(vec![dir.clone()], trust.clone(), Duration::from_secs(3600)).unwrap();
        // No CRL of its own generation: nothing known, never "revoked" by another's list.
        assert_eq!(src.status(&cert), Revocation::Stale);
        std::fs::write(
            dir.join("gen1.crl"),
            gens[1].signing_crl(&[]).unwrap().to_der().unwrap(),
        )
        .unwrap();
        src.reload().unwrap();
        assert_eq!(src.status(&cert), Revocation::NotRevoked);
        // The station, without the CAs at hand, tells them apart by key identifier.
        let station = crate::backend::station::StationCrl::load(&dir, 86_400).unwrap();
        assert!(!station.revokes(&cert));
        std::fs::write(
            dir.join("gen1.crl"),
            gens[1].signing_crl(&[cert.serial_number()]).unwrap().to_der().unwrap(),
        )
        .unwrap();
        src.reload().unwrap();
        assert_eq!(src.status(&cert), Revocation::Revoked);
        assert!(crate::backend::station::StationCrl::load(&dir, 86_400)
            .unwrap()
            .revokes(&cert));
        // Two generations' states are told apart in readiness and metrics.
        let states = src.states();
        assert_eq!(states.len(), 2);
        assert_ne!(states[0].issuer, states[1].issuer);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_partitioned_crl_speaks_only_for_the_certificates_naming_its_point() {
        use crate::card::vcard::pki::{leaf_for_test, partition_crl_of};
        let pki = crate::card::vcard::pki::TestPki::generate().unwrap();
        let ca = &pki.sign_ca;
        let in_a = leaf_for_test(ca, 4001, &["ldap://jlis.example/cn=Shibuya"]).unwrap();
        let in_b = leaf_for_test(ca, 4002, &["ldap://jlis.example/cn=Minato"]).unwrap();
        let nowhere = leaf_for_test(ca, 4003, &[]).unwrap();
        let dir = std::env::temp_dir().join(format!("madoguchi-crl-part-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let now = crate::time::unix_ms() / 1000;
        let write = |name: &str, point: Option<&str>, serials: &[&openssl::asn1::Asn1IntegerRef]| {
            let crl = partition_crl_of(&ca.cert, &ca.key, serials, now - 3600, now + 86_400, point).unwrap();
            std::fs::write(dir.join(name), crl.to_der().unwrap()).unwrap();
        };
        // Only Minato's partition is here, and it lists Shibuya's serial by coincidence.
        write(
            "minato.crl",
            Some("ldap://jlis.example/cn=Minato"),
            &[in_a.serial_number()],
        );
        let src = CrlSource::load(vec![dir.clone()], vec![ca.cert.clone()], Duration::from_secs(0)).unwrap();
        assert_eq!(src.status(&in_b), Revocation::NotRevoked);
        assert_eq!(
            src.status(&in_a),
            Revocation::Stale,
            "no CRL of its own partition: not 'not revoked'"
        );
        assert!(!src.listed(&in_a), "another partition's list says nothing of it");
        assert_eq!(src.status(&nowhere), Revocation::Stale);
        // Shibuya's own partition, listing it.
        write(
            "shibuya.crl",
            Some("ldap://jlis.example/cn=Shibuya"),
            &[in_a.serial_number()],
        );
        src.reload().unwrap();
        assert_eq!(src.status(&in_a), Revocation::Revoked);
        // A full CRL speaks for every certificate of its issuer.
        write("full.crl", None, &[]);
        src.reload().unwrap();
        assert_eq!(src.status(&nowhere), Revocation::NotRevoked);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
