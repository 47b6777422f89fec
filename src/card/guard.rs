//! The APDU allowlist. Every command from the client passes through [`Guard`], which follows
//! what is selected on the card and refuses — before anything is sent — any command that could
//! reach a file not in [`super::files`]: above all the My Number (text AP EF 01) and EF 03,
//! and the 券面事項確認AP's My Number image (EF 05) and 照合番号A (EF 13), under any application.
//!
//! It is deliberately stricter than the client needs: SELECT only by DF name or by FID under a
//! known DF with P2 = `0C`, READ BINARY only by offset (never by short EF identifier), VERIFY and
//! SIGN only on the matching PIN / key EF, and no other instruction but GET RESPONSE.
//!
//! Two rules from how real cards answer (docs/card.md, "Card session hygiene"):
//! - a DF name is compared whole: the card selects an application by an 8-byte prefix of its
//!   AID, and the text AP, the 券面事項確認AP and the 住基 AP share theirs;
//! - GET DATA (`CA`/`CB`) is never sent: with no DF selected it returns the card's
//!   identification data (card number, municipality, expiry) without any credential.

use super::apdu::{Command, Response, INS_GET_RESPONSE, INS_READ_BINARY, INS_SELECT, INS_SIGN, INS_VERIFY};
use super::files::{self, Access, Application, Ef};
use super::transport::{Refusal, Transport, TransportError};

pub struct Guard<T> {
    inner: T,
    app: Option<Application>,
    ef: Option<Ef>,
    /// The application was selected by this guard (this transaction), not restored.
    app_confirmed: bool,
    sent: u32,
}

/// GET DATA (ISO 7816-4), even and odd instruction.
const INS_GET_DATA: u8 = 0xCA;
const INS_GET_DATA_ODD: u8 = 0xCB;

/// The FID shared by the JPKI signing certificate and the text AP's My Number.
const SHARED_FID: u16 = 0x0001;

/// What a SELECT would select, once allowed.
enum Target {
    Df(Application),
    File(Ef),
    None,
}

impl<T: Transport> Guard<T> {
    pub fn new(inner: T) -> Guard<T> {
        Guard {
            inner,
            app: None,
            ef: None,
            app_confirmed: false,
            sent: 0,
        }
    }

    pub fn into_inner(self) -> T {
        self.inner
    }

    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// APDUs that reached the transport (refused ones are not counted).
    pub fn sent(&self) -> u32 {
        self.sent
    }

    /// Forget what we think is selected (new transaction, after a reset).
    pub fn forget(&mut self) {
        self.app = None;
        self.ef = None;
        self.app_confirmed = false;
    }

    /// Whether the selected application was selected in this transaction.
    pub fn app_confirmed(&self) -> bool {
        self.app_confirmed
    }

    pub fn selected(&self) -> (Option<Application>, Option<Ef>) {
        (self.app, self.ef)
    }

    /// Picks up what an earlier guard on the same held connection saw selected.
    pub fn restore(&mut self, (app, ef): (Option<Application>, Option<Ef>)) {
        self.app = app;
        self.ef = ef.filter(|e| Some(e.app()) == app);
        self.app_confirmed = false;
    }

    fn check(&self, cmd: &Command) -> Result<Target, Refusal> {
        match (cmd.cla(), cmd.ins()) {
            (0x00, INS_SELECT) => match (cmd.p1(), cmd.p2()) {
                // The whole AID, byte for byte and length for length: never a prefix.
                (0x04, 0x0C) => Application::from_aid(cmd.data())
                    .map(Target::Df)
                    .ok_or(Refusal::Application),
                (0x02, 0x0C) => {
                    let app = self.app.ok_or(Refusal::NothingSelected)?;
                    let fid = match cmd.data() {
                        [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                        _ => return Err(Refusal::File),
                    };
                    if files::forbidden(app, fid) {
                        return Err(Refusal::MyNumberFile);
                    }
                    if fid == SHARED_FID && !self.app_confirmed {
                        return Err(Refusal::StaleSelection);
                    }
                    Ef::lookup(app, fid).map(Target::File).ok_or(Refusal::File)
                }
                // By path, MF, parent, with FCI...: none of it is needed, some could reach EF 01.
                _ => Err(Refusal::Instruction),
            },
            (0x00, INS_READ_BINARY) => {
                if cmd.p1() & 0x80 != 0 {
                    // Short EF identifier: would select a file implicitly, past our tracking.
                    return Err(Refusal::Operation);
                }
                self.require(Access::Read)?;
                if !cmd.data().is_empty() {
                    return Err(Refusal::Operation);
                }
                Ok(Target::None)
            }
            (0x00, INS_VERIFY) if (cmd.p1(), cmd.p2()) == (0x00, 0x80) => {
                self.require(Access::Verify)?;
                Ok(Target::None)
            }
            (0x80, INS_SIGN) if (cmd.p1(), cmd.p2()) == (0x00, 0x80) => {
                self.require(Access::Sign)?;
                Ok(Target::None)
            }
            (0x00, INS_GET_RESPONSE) if cmd.data().is_empty() => Ok(Target::None),
            // GET DATA, in any class: card identification data without a credential.
            (_, INS_GET_DATA | INS_GET_DATA_ODD) => Err(Refusal::Instruction),
            _ => Err(Refusal::Instruction),
        }
    }

    fn require(&self, access: Access) -> Result<(), Refusal> {
        match self.ef {
            None => Err(Refusal::NothingSelected),
            Some(ef) if ef.access() == access => Ok(()),
            Some(_) => Err(Refusal::Operation),
        }
    }
}

impl<T: Transport> Transport for Guard<T> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
        let target = self.check(cmd).map_err(|r| {
            tracing::warn!(apdu = %cmd, refusal = %r, "APDU refused by allowlist");
            TransportError::Refused(r)
        })?;
        // Until the card confirms a SELECT, we don't know what is selected.
        match target {
            Target::Df(_) => self.forget(),
            Target::File(_) => self.ef = None,
            Target::None => {}
        }
        self.sent += 1;
        let started = std::time::Instant::now();
        let result = self.inner.transmit(cmd);
        match &result {
            Ok(resp) => {
                tracing::debug!(apdu = %cmd, sw = %resp.sw, len = resp.data.len(), us = started.elapsed().as_micros() as u64, "APDU");
                if resp.sw.is_ok() {
                    match target {
                        Target::Df(app) => {
                            self.app = Some(app);
                            self.app_confirmed = true;
                        }
                        Target::File(ef) => self.ef = Some(ef),
                        Target::None => {}
                    }
                }
            }
            Err(e) => {
                tracing::debug!(apdu = %cmd, error = %e, "APDU failed");
                // A failed command selects nothing new (SELECTs cleared the state before
                // sending), but after a reset or removal the card starts from scratch.
                if matches!(
                    e,
                    TransportError::CardReset | TransportError::CardRemoved | TransportError::NoCard
                ) {
                    self.forget();
                }
            }
        }
        result
    }

    fn extended_length(&self) -> Option<bool> {
        self.inner.extended_length()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::apdu::StatusWord;
    use crate::card::files::{AID_JPKI, AID_TEXT};

    /// Answers 90 00 to everything and records what it was sent.
    #[derive(Default)]
    struct Recorder(Vec<Vec<u8>>);
    impl Transport for Recorder {
        fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
            self.0.push(cmd.encode().to_vec());
            Ok(Response::status(StatusWord::OK))
        }
    }

    fn refused(g: &mut Guard<Recorder>, c: Command) -> Refusal {
        let before = g.inner().0.len();
        match g.transmit(&c) {
            Err(TransportError::Refused(r)) => {
                assert_eq!(g.inner().0.len(), before, "refused command reached the card");
                r
            }
            other => panic!("{c} was not refused: {other:?}"),
        }
    }

    #[test]
    fn my_number_and_ef03_never_reach_the_card() {
        let mut g = Guard::new(Recorder::default());
        g.transmit(&Command::select_df(&AID_TEXT)).unwrap();
        assert_eq!(refused(&mut g, Command::select_ef(0x0001)), Refusal::MyNumberFile);
        assert_eq!(refused(&mut g, Command::select_ef(0x0003)), Refusal::MyNumberFile);
        // Reading by short EF identifier 1 or 3 (P1 = 0x80 | SFI).
        g.transmit(&Command::select_ef(0x0002)).unwrap();
        assert_eq!(
            refused(&mut g, Command::new(0, 0xB0, 0x81, 0, &[], 256)),
            Refusal::Operation
        );
        assert_eq!(
            refused(&mut g, Command::new(0, 0xB0, 0x83, 0, &[], 256)),
            Refusal::Operation
        );
        // Select by path from MF, or asking for FCI, or READ RECORD / odd READ BINARY / GET DATA.
        assert_eq!(
            refused(&mut g, Command::new(0, 0xA4, 0x08, 0x0C, &[0xD3, 0x92, 0x00, 0x01], 0)),
            Refusal::Instruction
        );
        assert_eq!(
            refused(&mut g, Command::new(0, 0xA4, 0x02, 0x00, &[0x00, 0x01], 256)),
            Refusal::Instruction
        );
        assert_eq!(
            refused(&mut g, Command::new(0, 0xB2, 0x01, 0x0C, &[], 256)),
            Refusal::Instruction
        );
        assert_eq!(
            refused(&mut g, Command::new(0, 0xB1, 0x00, 0x01, &[0x54, 0x02, 0, 0], 256)),
            Refusal::Instruction
        );
        assert_eq!(
            refused(&mut g, Command::new(0, 0xCA, 0x01, 0x01, &[], 256)),
            Refusal::Instruction
        );
        // Other applications (the 住基 AP) are not on the list.
        let juki = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];
        assert_eq!(refused(&mut g, Command::select_df(&juki)), Refusal::Application);
        // Every refused command above left no trace on the card.
        assert_eq!(g.inner().0.len(), 2);
    }

    /// 券面事項確認AP EF 0005 (the My Number as an image) and EF 0013 (照合番号A: the My Number
    /// itself): under every application, by FID, by path, by short EF identifier, by a VERIFY
    /// that names the PIN in P2, or by the odd READ BINARY: refused before anything is sent.
    #[test]
    fn the_my_number_image_and_pin_a_never_reach_the_card() {
        use crate::card::files::AID_FACE;
        for fid in [0x0005u16, 0x0013] {
            let [hi, lo] = fid.to_be_bytes();
            let mut g = Guard::new(Recorder::default());
            for aid in [&AID_FACE, &AID_TEXT, &AID_JPKI] {
                g.transmit(&Command::select_df(aid)).unwrap();
                assert_eq!(
                    refused(&mut g, Command::select_ef(fid)),
                    Refusal::MyNumberFile,
                    "{fid:04X}"
                );
                // By path from the MF or from the current DF, by FID with P1 00 (MF, DF or
                // EF), with FCI asked for.
                for (p1, data) in [
                    (0x08, vec![hi, lo]),
                    (0x08, vec![0xDF, 0x01, hi, lo]),
                    (0x09, vec![hi, lo]),
                    (0x00, vec![hi, lo]),
                    (0x01, vec![hi, lo]),
                ] {
                    assert_eq!(
                        refused(&mut g, Command::new(0, 0xA4, p1, 0x0C, &data, 0)),
                        Refusal::Instruction,
                        "{fid:04X} P1 {p1:02X}"
                    );
                }
                assert_eq!(
                    refused(&mut g, Command::new(0, 0xA4, 0x02, 0x00, &[hi, lo], 256)),
                    Refusal::Instruction
                );
                // VERIFY naming a PIN in P2 (global or local reference), with and without data.
                for p2 in [lo, 0x80 | lo] {
                    for data in [&[][..], &b"123456789012"[..]] {
                        assert_eq!(
                            refused(&mut g, Command::new(0, 0x20, 0x00, p2, data, 0)),
                            Refusal::Instruction,
                            "VERIFY P2 {p2:02X}"
                        );
                    }
                }
            }
            // Short EF identifier (P1 = 0x80 | SFI) and the odd READ BINARY, while a readable
            // file of the card-face AP is selected (the guard would let an offset read through).
            g.transmit(&Command::select_df(&AID_FACE)).unwrap();
            g.transmit(&Command::select_ef(0x0002)).unwrap();
            assert_eq!(
                refused(&mut g, Command::new(0, 0xB0, 0x80 | lo, 0, &[], 256)),
                Refusal::Operation
            );
            assert_eq!(
                refused(&mut g, Command::new(0, 0xB1, hi, lo, &[0x54, 0x02, 0, 0], 256)),
                Refusal::Instruction
            );
            // No VERIFY of any kind while 照合番号B's EF is not the one selected.
            assert_eq!(
                refused(&mut g, Command::new(0, 0x20, 0x00, 0x80, b"123456789012", 0)),
                Refusal::Operation
            );
            // Only the SELECTs of applications and of EF 0002 reached the card.
            let sent = &g.inner().0;
            assert_eq!(sent.len(), 5, "{fid:04X}");
            assert!(sent.iter().all(|a| a[1] == 0xA4 && !a.ends_with(&[hi, lo])));
        }
    }

    /// The card-face AP: its two files for what they are, nothing under another application.
    #[test]
    fn the_card_face_ap_reads_ef02_after_its_pin_b_and_nothing_else() {
        use crate::card::files::AID_FACE;
        let mut g = Guard::new(Recorder::default());
        g.transmit(&Command::select_df(&AID_FACE)).unwrap();
        g.transmit(&Command::select_ef(0x0012)).unwrap();
        g.transmit(&Command::verify_query()).unwrap();
        assert_eq!(refused(&mut g, Command::read_binary(0, 256)), Refusal::Operation);
        assert_eq!(refused(&mut g, Command::sign(&[0; 51])), Refusal::Operation);
        g.transmit(&Command::select_ef(0x0002)).unwrap();
        g.transmit(&Command::read_binary(0, 65536)).unwrap();
        assert_eq!(refused(&mut g, Command::verify_query()), Refusal::Operation);
        assert_eq!(g.selected(), (Some(Application::Face), Some(Ef::CardFace)));
        // The birth-date record, its PIN, the AP's key: not on the list.
        for fid in [0x0001, 0x0011, 0x0004, 0x001A] {
            assert_eq!(refused(&mut g, Command::select_ef(fid)), Refusal::File, "{fid:04X}");
        }
        // 0012 means nothing under the other applications.
        g.transmit(&Command::select_df(&AID_TEXT)).unwrap();
        assert_eq!(refused(&mut g, Command::select_ef(0x0012)), Refusal::File);
    }

    #[test]
    fn reads_need_an_allowlisted_readable_file() {
        let mut g = Guard::new(Recorder::default());
        assert_eq!(refused(&mut g, Command::read_binary(0, 256)), Refusal::NothingSelected);
        assert_eq!(refused(&mut g, Command::select_ef(0x0002)), Refusal::NothingSelected);
        g.transmit(&Command::select_df(&AID_TEXT)).unwrap();
        g.transmit(&Command::select_ef(0x0011)).unwrap();
        assert_eq!(refused(&mut g, Command::read_binary(0, 256)), Refusal::Operation);
        g.transmit(&Command::verify_query()).unwrap();
        assert_eq!(refused(&mut g, Command::sign(&[0; 51])), Refusal::Operation);
        // Same FID 0002 means the CA certificate under JPKI: the guard tracks the DF.
        g.transmit(&Command::select_df(&AID_JPKI)).unwrap();
        assert_eq!(refused(&mut g, Command::read_binary(0, 256)), Refusal::NothingSelected);
        g.transmit(&Command::select_ef(0x001A)).unwrap();
        g.transmit(&Command::sign(&[0; 51])).unwrap();
        assert_eq!(refused(&mut g, Command::verify_query()), Refusal::Operation);
        // JPKI files the station has no use for (unknown content) are not on the list.
        for fid in [0x0004, 0x0016, 0x0019] {
            assert_eq!(refused(&mut g, Command::select_ef(fid)), Refusal::File, "{fid:04X}");
        }
    }

    /// The 利用者証明 challenge: exactly its files, each for what it is: the PIN EF takes a
    /// VERIFY and no SIGN or READ, the key EF a SIGN and no VERIFY or READ, the certificate
    /// a READ only; and none of them under the text AP.
    #[test]
    fn the_auth_challenge_uses_its_own_files_for_their_own_purpose() {
        let mut g = Guard::new(Recorder::default());
        g.transmit(&Command::select_df(&AID_TEXT)).unwrap();
        for fid in [0x000A, 0x0017, 0x0018] {
            assert_eq!(
                refused(&mut g, Command::select_ef(fid)),
                Refusal::File,
                "{fid:04X} under the text AP"
            );
        }
        g.transmit(&Command::select_df(&AID_JPKI)).unwrap();
        g.transmit(&Command::select_ef(0x000A)).unwrap();
        g.transmit(&Command::read_binary(0, 256)).unwrap();
        assert_eq!(refused(&mut g, Command::verify_query()), Refusal::Operation);
        assert_eq!(refused(&mut g, Command::sign(&[0; 51])), Refusal::Operation);
        g.transmit(&Command::select_ef(0x0018)).unwrap();
        g.transmit(&Command::verify_query()).unwrap();
        assert_eq!(refused(&mut g, Command::read_binary(0, 256)), Refusal::Operation);
        assert_eq!(refused(&mut g, Command::sign(&[0; 51])), Refusal::Operation);
        g.transmit(&Command::select_ef(0x0017)).unwrap();
        g.transmit(&Command::sign(&[0; 51])).unwrap();
        assert_eq!(refused(&mut g, Command::verify_query()), Refusal::Operation);
        assert_eq!(refused(&mut g, Command::read_binary(0, 256)), Refusal::Operation);
        assert_eq!(g.selected(), (Some(Application::Jpki), Some(Ef::AuthKey)));
    }

    #[test]
    fn only_whole_aids_select_an_application() {
        let mut g = Guard::new(Recorder::default());
        for aid in [&AID_TEXT[..], &AID_JPKI[..]] {
            // The card would take an 8-byte (or longer) prefix as the application itself.
            for len in [8, 9] {
                assert_eq!(
                    refused(&mut g, Command::select_df(&aid[..len])),
                    Refusal::Application,
                    "prefix of {len} bytes"
                );
            }
            let mut longer = aid.to_vec();
            longer.push(0x00);
            assert_eq!(refused(&mut g, Command::select_df(&longer)), Refusal::Application);
        }
        // The prefix the text AP shares with the 券面事項確認AP and the 住基 AP.
        assert_eq!(
            refused(
                &mut g,
                Command::select_df(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01])
            ),
            Refusal::Application
        );
        assert_eq!(g.selected(), (None, None));
        assert_eq!(g.inner().0.len(), 0);
        g.transmit(&Command::select_df(&AID_TEXT)).unwrap();
        assert_eq!(g.selected(), (Some(Application::Text), None));
    }

    #[test]
    fn get_data_is_never_sent() {
        let mut g = Guard::new(Recorder::default());
        let get_data = |cla: u8, ins: u8, p1: u8, p2: u8| Command::new(cla, ins, p1, p2, &[], 256);
        // With no DF selected (where the card answers with its identification data), and under
        // each application; every class and both instruction codes.
        for app in [None, Some(&AID_TEXT), Some(&AID_JPKI)] {
            if let Some(aid) = app {
                g.transmit(&Command::select_df(aid)).unwrap();
            }
            for cla in [0x00, 0x80, 0x0C, 0x84] {
                for (ins, p1, p2) in [(0xCA, 0x00, 0x66), (0xCA, 0x01, 0x01), (0xCB, 0x3F, 0xFF)] {
                    assert_eq!(refused(&mut g, get_data(cla, ins, p1, p2)), Refusal::Instruction);
                }
            }
        }
        assert_eq!(g.inner().0.len(), 2, "only the two SELECTs reached the card");
    }

    /// A card that answers 6A 82 to SELECT: the guard must not believe the select happened.
    struct NotFound;
    impl Transport for NotFound {
        fn transmit(&mut self, _: &Command) -> Result<Response, TransportError> {
            Ok(Response::status(StatusWord::FILE_NOT_FOUND))
        }
    }

    #[test]
    fn failed_select_leaves_nothing_selected() {
        let mut g = Guard::new(NotFound);
        g.transmit(&Command::select_df(&AID_TEXT)).unwrap();
        assert_eq!(g.selected(), (None, None));
        assert!(matches!(
            g.transmit(&Command::select_ef(0x0002)),
            Err(TransportError::Refused(Refusal::NothingSelected))
        ));
    }

    #[test]
    fn fid_0001_only_after_its_application_was_selected_in_this_transaction() {
        // A selection remembered from an earlier transaction: the card may have been reset or
        // swapped since, and 0001 under the text AP is the My Number.
        let mut g = Guard::new(Recorder::default());
        g.restore((Some(Application::Jpki), None));
        assert_eq!(refused(&mut g, Command::select_ef(0x0001)), Refusal::StaleSelection);
        // Other files of the remembered application stay reachable (a resumed read).
        g.transmit(&Command::select_ef(0x001B)).unwrap();
        g.transmit(&Command::select_df(&AID_JPKI)).unwrap();
        g.transmit(&Command::select_ef(0x0001)).unwrap();
        g.forget();
        g.restore((Some(Application::Jpki), None));
        assert_eq!(refused(&mut g, Command::select_ef(0x0001)), Refusal::StaleSelection);
    }
}
