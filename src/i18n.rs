//! Every sentence a person reads, in Japanese (default) and English, in one place.
//! Each message says what happened and what to do next. None includes card data or a PIN.

use crate::card::error::CardError;
use crate::card::transport::{Refusal, TransportError};
use crate::reader::diagnostics::CardState;
use crate::secret::{PinFormatError, PinKind};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "ja" | "jp" | "japanese" => Some(Lang::Ja),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

pub fn pin_name(lang: Lang, kind: PinKind) -> &'static str {
    match (lang, kind) {
        (Lang::Ja, PinKind::TextPin) => "券面事項入力補助用暗証番号（数字4桁）",
        (Lang::En, PinKind::TextPin) => "card PIN for the basic four items (4 digits)",
        (Lang::Ja, PinKind::SignPassword) => "署名用電子証明書のパスワード（英数字6～16桁）",
        (Lang::En, PinKind::SignPassword) => "signing password (6-16 letters and digits)",
    }
}

pub fn tries_left(lang: Lang, kind: PinKind, n: u8) -> String {
    match lang {
        Lang::Ja => format!("{}の残り入力回数: {}回", pin_name(lang, kind), n),
        Lang::En => format!("{}: {} tries left", pin_name(lang, kind), n),
    }
}

pub fn last_try_warning(lang: Lang, kind: PinKind) -> String {
    match lang {
        Lang::Ja => format!(
            "{}の残り入力回数は1回です。次に間違えるとロックされ、市区町村の窓口で初期化が必要になります。",
            pin_name(lang, kind)
        ),
        Lang::En => format!(
            "Only one try left for the {}. A wrong entry locks it, and it must then be reset at the municipal office.",
            pin_name(lang, kind)
        ),
    }
}

pub fn pin_format(lang: Lang, kind: PinKind, e: &PinFormatError) -> String {
    match (lang, e) {
        (Lang::Ja, PinFormatError::Length { .. }) => format!(
            "{}を入力してください。（入力回数は減っていません）",
            pin_name(lang, kind)
        ),
        (Lang::Ja, PinFormatError::Character { position }) => {
            format!(
                "{}文字目に使えない文字があります。{}を入力してください。（入力回数は減っていません）",
                position,
                pin_name(lang, kind)
            )
        }
        (Lang::Ja, PinFormatError::LettersAndDigits) => format!(
            "{}は英字と数字を両方含みます（英字1文字以上、数字1文字以上）。もう一度入力してください。（入力回数は減っていません）",
            pin_name(lang, kind)
        ),
        (Lang::En, PinFormatError::LettersAndDigits) => format!(
            "The {} contains both letters and digits (at least one of each). Enter it again. (No try was used.)",
            pin_name(lang, kind)
        ),
        (Lang::En, PinFormatError::Length { .. }) => format!("Enter the {}. (No try was used.)", pin_name(lang, kind)),
        (Lang::En, PinFormatError::Character { position }) => {
            format!(
                "Character {} is not allowed. Enter the {}. (No try was used.)",
                position,
                pin_name(lang, kind)
            )
        }
    }
}

pub fn transport_error(lang: Lang, e: &TransportError) -> String {
    use TransportError as T;
    match lang {
        Lang::Ja => match e {
            T::NoService => {
                "カードリーダーのサービス（pcscd）が起動していません。`sudo systemctl start pcscd` で起動してください。"
                    .into()
            }
            T::NoReader => "カードリーダーが接続されていません。リーダーを接続してください。".into(),
            T::UnknownReader(n) => format!(
                "指定されたカードリーダー「{n}」が見つかりません。`madoguchi readers` で名前を確認してください。"
            ),
            T::NoCard => "カードがリーダーに置かれていません。マイナンバーカードをリーダーに置いてください。".into(),
            T::CardRemoved => {
                "読み取り中にカードが離れました。カードをリーダーに置いたまま動かさずに、もう一度お試しください。"
                    .into()
            }
            T::CardReset => "他のプログラムがカードをリセットしました。もう一度お試しください。".into(),
            T::Unresponsive => "カードが応答しません。カードをリーダーの中央に置き、動かさないでください。".into(),
            T::Busy => {
                "他のプログラムがカードリーダーを使用中です。そのプログラムを終了してから、もう一度お試しください。"
                    .into()
            }
            T::Timeout => "カードリーダーの応答がありません。もう一度お試しください。".into(),
            T::ExtendedUnsupported => "このカードリーダーは長いデータの一括読み取りに対応していません。".into(),
            T::Refused(r) => format!("安全のため、この操作は行いません（{}）。", refusal(lang, r)),
            T::Other(d) => format!("カードとの通信に失敗しました（{d}）。もう一度お試しください。"),
        },
        Lang::En => match e {
            T::NoService => {
                "The smart card service (pcscd) is not running. Start it with `sudo systemctl start pcscd`.".into()
            }
            T::NoReader => "No card reader is connected. Connect a reader.".into(),
            T::UnknownReader(n) => format!("Card reader \"{n}\" not found. Check the names with `madoguchi readers`."),
            T::NoCard => "No card on the reader. Place the My Number Card on the reader.".into(),
            T::CardRemoved => {
                "The card left the reader during the read. Keep it still on the reader and try again.".into()
            }
            T::CardReset => "Another program reset the card. Try again.".into(),
            T::Unresponsive => {
                "The card does not respond. Place it in the centre of the reader and keep it still.".into()
            }
            T::Busy => "Another program is using the card reader. Close it and try again.".into(),
            T::Timeout => "The card reader did not answer. Try again.".into(),
            T::ExtendedUnsupported => "This reader cannot read long data in one piece.".into(),
            T::Refused(r) => format!("Refused for safety ({}).", refusal(lang, r)),
            T::Other(d) => format!("Communication with the card failed ({d}). Try again."),
        },
    }
}

fn refusal(lang: Lang, r: &Refusal) -> &'static str {
    match (lang, r) {
        (Lang::Ja, Refusal::MyNumberFile) => "個人番号は読み取りません",
        (Lang::En, Refusal::MyNumberFile) => "the My Number is never read",
        (Lang::Ja, _) => "許可されていないカード操作です",
        (Lang::En, _) => "card operation not on the allowlist",
    }
}

pub fn card_error(lang: Lang, e: &CardError) -> String {
    use CardError as C;
    match lang {
        Lang::Ja => match e {
            C::Transport(t) => transport_error(lang, t),
            C::NotMyNumberCard => "このカードはマイナンバーカードではないか、読み取れない種類のカードです。".into(),
            C::WrongPin { kind, tries_left } => format!(
                "{}が違います。残り入力回数は{}回です。",
                pin_name(lang, *kind),
                tries_left
            ),
            C::Locked { kind } => format!(
                "{}がロックされています。お住まいの市区町村の窓口で暗証番号の初期化（再設定）を行ってください。",
                pin_name(lang, *kind)
            ),
            C::SecurityStatus => "暗証番号の確認が済んでいないため読み取れません。最初からやり直してください。".into(),
            C::FileNotFound(_) => "カードに必要な情報が見つかりません。".into(),
            C::NoSigningCertificate => {
                "このカードには署名用電子証明書がありません（15歳未満の方には発行されません）。".into()
            }
            C::Malformed(m) => format!(
                "カードから正しくないデータが返されました（{}）。カードを置き直して、もう一度お試しください。",
                m
            ),
            C::Status { sw, op } => format!("カードがエラーを返しました（{op}: {sw}）。もう一度お試しください。"),
        },
        Lang::En => match e {
            C::Transport(t) => transport_error(lang, t),
            C::NotMyNumberCard => "This card is not a My Number Card, or not a kind that can be read.".into(),
            C::WrongPin { kind, tries_left } => {
                format!("Wrong {}. {} tries left.", pin_name(lang, *kind), tries_left)
            }
            C::Locked { kind } => format!(
                "The {} is locked. It must be reset at the municipal office where the holder lives.",
                pin_name(lang, *kind)
            ),
            C::SecurityStatus => "The PIN was not verified, so the card refused the read. Start over.".into(),
            C::FileNotFound(_) => "A required file is missing on the card.".into(),
            C::NoSigningCertificate => {
                "This card has no signing certificate (none is issued to holders under 15).".into()
            }
            C::Malformed(m) => format!(
                "The card returned invalid data ({}). Place the card again and retry.",
                m
            ),
            C::Status { sw, op } => format!("The card returned an error ({op}: {sw}). Try again."),
        },
    }
}

/// The PIN pane's request.
pub fn enter_pin(lang: Lang, kind: PinKind) -> String {
    match lang {
        Lang::Ja => format!("{}を入力してください。", pin_name(lang, kind)),
        Lang::En => format!("Enter the {}.", pin_name(lang, kind)),
    }
}

/// Tries left, shown before anything can be typed.
pub fn tries_short(lang: Lang, n: u8) -> String {
    match lang {
        Lang::Ja => format!("残り入力回数: {n}回"),
        Lang::En => format!("Tries left: {n}"),
    }
}

/// The age of the oldest unsent record in the status line.
pub fn oldest_minutes(lang: Lang, minutes: u64) -> String {
    match lang {
        Lang::Ja => format!("（最古 {minutes}分前）"),
        Lang::En => format!(" (oldest {minutes} min)"),
    }
}

/// The station CRL's age in the status line; a stale one is not used.
pub fn crl_age(lang: Lang, hours: u64, fresh: bool) -> String {
    match (lang, fresh) {
        (Lang::Ja, true) => format!("CRL {hours}時間前"),
        (Lang::Ja, false) => format!("CRL {hours}時間前（古いため未使用）"),
        (Lang::En, true) => format!("CRL {hours} h old"),
        (Lang::En, false) => format!("CRL {hours} h old (stale, not used)"),
    }
}

/// The reader-health box's title: APDU round trips.
pub fn health_title(lang: Lang, n: usize, max_us: u32) -> String {
    match lang {
        Lang::Ja => format!("APDU 往復時間（直近{n}件、最大 {:.1} ms）", max_us as f64 / 1000.0),
        Lang::En => format!("APDU round trips (last {n}, max {:.1} ms)", max_us as f64 / 1000.0),
    }
}

/// The session's troubles under the sparkline.
pub fn health_counts(lang: Lang, removals: u32, resends: u32, errors: u32) -> String {
    match lang {
        Lang::Ja => format!("取り外し {removals}・再送 {resends}・通信エラー {errors}"),
        Lang::En => format!("removals {removals} · re-sends {resends} · transmit errors {errors}"),
    }
}

/// `madoguchi status` when no station answers.
pub fn status_no_station(lang: Lang, path: &str, error: &str) -> String {
    match lang {
        Lang::Ja => format!(
            "動作中の窓口端末が見つかりません（{path}: {error}）。同じユーザーで端末が起動しているか確認してください。"
        ),
        Lang::En => format!("No running station answers ({path}: {error}). Is the station running as this user?"),
    }
}

/// Labels of `madoguchi status`.
pub fn status_label(lang: Lang, key: &str) -> &'static str {
    match (lang, key) {
        (Lang::Ja, "station") => "端末",
        (Lang::Ja, "uptime") => "稼働時間",
        (Lang::Ja, "step") => "手順",
        (Lang::Ja, "reader") => "リーダー",
        (Lang::Ja, "pcscd") => "pcscd 動作中",
        (Lang::Ja, "queue") => "未送信",
        (Lang::Ja, "delivery") => "最後の送信",
        (Lang::Ja, "apdu") => "APDU 往復時間",
        (Lang::Ja, "errors") => "エラー",
        (_, "station") => "station",
        (_, "uptime") => "uptime",
        (_, "step") => "step",
        (_, "reader") => "reader",
        (_, "pcscd") => "pcscd running",
        (_, "queue") => "unsent",
        (_, "delivery") => "last delivery",
        (_, "apdu") => "APDU round trips",
        (_, "errors") => "errors",
        _ => "",
    }
}

/// The demo's card secrets, on screen so a new user can try every profile (demo only).
pub fn demo_secrets(lang: Lang, pin: &str, password: Option<&str>) -> String {
    match (lang, password) {
        (Lang::Ja, Some(pw)) => format!("デモ: 暗証番号 {pin} / パスワード {pw}"),
        (Lang::Ja, None) => format!("デモ: 暗証番号 {pin}"),
        (Lang::En, Some(pw)) => format!("demo: PIN {pin} / password {pw}"),
        (Lang::En, None) => format!("demo: PIN {pin}"),
    }
}

/// The warning of the e-mail step: carrier mail and domain filters, naming the sending domain.
pub fn email_carrier_warning(lang: Lang, domain: Option<&str>) -> String {
    match (lang, domain) {
        (Lang::Ja, Some(d)) => format!("キャリアメール（携帯電話会社のメール）は、受信設定によってはメールが届かない場合があります。「{d}」からのメールを受信できるよう設定してください。"),
        (Lang::Ja, None) => "キャリアメール（携帯電話会社のメール）は、受信設定によってはメールが届かない場合があります。事前に受信設定をご確認ください。".into(),
        (Lang::En, Some(d)) => format!("Mobile-carrier mail may filter our message: allow mail from \"{d}\" in the mailbox settings."),
        (Lang::En, None) => "Mobile-carrier mail may filter our message: check the mailbox's filter settings first.".into(),
    }
}

/// The idle-wipe countdown.
pub fn idle_warning(lang: Lang, secs: u64) -> String {
    match lang {
        Lang::Ja => format!(
            "操作がないため、あと{secs}秒で入力内容を消去して最初に戻ります。続けるには何かキーを押してください。"
        ),
        Lang::En => format!("No activity: everything entered will be wiped in {secs} s. Press any key to continue."),
    }
}

/// Fixed UI texts. One match per language keeps each language's wording in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Title,
    StepConsent,
    StepCard,
    StepPin,
    StepReading,
    StepConfirm,
    StepContact,
    StepSign,
    StepSend,
    StepDone,
    ConsentHeading,
    ConsentScrollHint,
    ConsentAcceptHint,
    PlaceCard,
    KeepCardStill,
    NoticeCardRemoved,
    NoticeTimedOut,
    NoticeCancelled,
    NoticeQueueFull,
    PinRuleText,
    PinRuleSign,
    CheckingTries,
    CharNotAllowed,
    ConfirmLastTry,
    Reading,
    ConfirmHeading,
    ConfirmNote,
    LabelName,
    LabelFormerName,
    LabelGender,
    LabelBirth,
    LabelAddress,
    Male,
    Female,
    OtherGender,
    ButtonReread,
    ButtonNext,
    ContactHeading,
    ContactNote,
    EmailEmpty,
    EmailAt,
    EmailLocal,
    EmailDomain,
    EmailTooLong,
    Signing,
    Storing,
    Sending,
    DoneHeading,
    DoneQueued,
    DoneUnsigned,
    NextCitizen,
    StoppedHeading,
    StoreFailed,
    DifferentCard,
    VerdictExpired,
    VerdictRevoked,
    VerdictSignature,
    VerdictUnsupported,
    VerdictDataMismatch,
    VerdictInvalid,
    VerdictReview,
    Reveal,
    Hide,
    KeyEnter,
    KeyEsc,
    KeyScroll,
    KeyChoose,
    KeyYesNo,
    KeyDiag,
    KeyReader,
    KeyLang,
    KeyQuit,
    Queue,
    Unsealed,
    TooSmall,
    StoreFailedFull,
    StoreFailedDisk,
    StoreFailedSeal,
    SignatureInvalid,
    NoCertificateAdult,
    DoneReview,
    DoneReviewWhy,
    ConfirmAdvice,
    ButtonStop,
    Hotline,
    ReceiptNumber,
    ReceiptKeep,
    DoneVerdictLater,
    Review,
    PlacementSuspect,
    PrivacyHeading,
    RepresentativeHeading,
    RepresentativeNote,
    RepresentativeParent,
    RepresentativeGuardian,
    RepresentativeOther,
    RepresentativeChoose,
    RepresentativeKey,
    EmailAgain,
    EmailMismatch,
    CardTipCase,
    CardTipMetal,
    CardTipStill,
    KonbiniReset,
    ResetHere,
    // Reader diagnostics: the pane, `diagnose`, `readers`.
    DiagRunning,
    DiagNotRunning,
    DiagReader,
    DiagTitleFull,
    DiagNoReader,
    DiagCard,
    DiagKind,
    DiagAtrDecoded,
    DiagHistorical,
    DiagKnownAtr,
    DiagProtocol,
    DiagExtended,
    DiagExtendedShort,
    DiagExtendedMeasured,
    DiagYes,
    DiagNo,
    DiagYesMeasured,
    DiagNoMeasured,
    DiagLastApdu,
    DiagLastApduLong,
    DiagRtt,
    DiagVendor,
    DiagModel,
    DiagFirmware,
    DiagVendorModelFirmware,
    DiagRemovals,
    DiagRemovalsShort,
    DiagRemovalsSession,
    DiagLastError,
    CardAbsent,
    CardPresent,
    CardMute,
    CardBusy,
    KindMyNumberCard,
    KindJukiCard,
    KindNotJpki,
    ReadersNoCard,
    ReadersCardMute,
    ReadersCardBusy,
    ReadersCardPresent,
}

pub fn msg(lang: Lang, m: Msg) -> &'static str {
    use Msg::*;
    match lang {
        Lang::Ja => match m {
            Title => "窓口 マイナンバーカード受付",
            StepConsent => "同意",
            StepCard => "カード",
            StepPin => "暗証番号",
            StepReading => "読み取り",
            StepConfirm => "確認",
            StepContact => "連絡先",
            StepSign => "署名",
            StepSend => "送信",
            StepDone => "完了",
            ConsentHeading => "利用規約",
            ConsentScrollHint => "↓ / PgDn で最後までお読みください。最後まで読むと同意できます。",
            ConsentAcceptHint => "Enter: 同意して次へ",
            PlaceCard => "マイナンバーカードをリーダーに置いてください。",
            KeepCardStill => "読み取りが終わるまで、カードを動かさないでください。",
            NoticeCardRemoved => "カードが離れました。もう一度リーダーに置いてください。",
            NoticeTimedOut => "一定時間操作がなかったため、入力内容を消去して最初に戻りました。",
            NoticeCancelled => "入力内容を消去して最初に戻りました。",
            NoticeQueueFull => "未送信の記録が上限に達しているため、新しい受付を開始できません。ネットワークを確認し、送信が終わるまでお待ちください。",
            PinRuleText => "数字4桁です。入力回数は3回までで、間違えるとロックされます。",
            PinRuleSign => "英字（大文字）と数字を両方含む6～16桁です。小文字は大文字として扱います。入力回数は5回までです。",
            CheckingTries => "残り入力回数を確認しています…",
            CharNotAllowed => "この文字は入力できません。",
            ConfirmLastTry => "最後の1回です。このまま送信しますか？  Y: はい  N: いいえ",
            Reading => "カードを読み取っています。カードを動かさないでください。",
            ConfirmHeading => "カードから読み取った内容をご確認ください。",
            ConfirmNote => "内容が違う場合は「再読み取り」を選んでください。",
            LabelName => "氏名",
            LabelFormerName => "旧氏",
            LabelGender => "性別",
            LabelBirth => "生年月日",
            LabelAddress => "住所",
            Male => "男性",
            Female => "女性",
            OtherGender => "その他・不明",
            ButtonReread => "再読み取り",
            ButtonNext => "次へ",
            ContactHeading => "連絡先のメールアドレスを入力してください。",
            ContactNote => "入力したメールアドレスに誤りがないか、もう一度ご確認ください。半角英数字で入力します。",
            EmailEmpty => "メールアドレスを入力してください。",
            EmailAt => "「@」が1つ入ったメールアドレスを入力してください。",
            EmailLocal => "「@」の前の部分に誤りがあります。",
            EmailDomain => "「@」の後ろの部分（ドメイン）に誤りがあります。",
            EmailTooLong => "メールアドレスが長すぎます。",
            Signing => "電子署名をしています。カードを動かさないでください。",
            Storing => "記録を保存しています…",
            Sending => "送信しています…",
            DoneHeading => "受付が完了しました。",
            DoneQueued => "記録は保存済みです。ネットワークが使えるようになると自動で送信されます。",
            DoneUnsigned => "署名用電子証明書がないため、基本4情報のみで受け付けました。",
            NextCitizen => "Enter: 次の方へ",
            StoppedHeading => "受付を続けられません",
            StoreFailed => "記録を保存できませんでした。受付は完了していません。もう一度お試しください。",
            DifferentCard => "確認したカードとは別のカードが置かれました。最初からやり直してください。",
            VerdictExpired => "Code: 21 署名用電子証明書の有効期限が切れています。市区町村の窓口で電子証明書を更新してから、もう一度お手続きください。",
            VerdictRevoked => "Code: 23 署名用電子証明書が失効しています。市区町村の窓口で電子証明書を更新してから、もう一度お手続きください。",
            VerdictSignature => "電子署名を確認できませんでした。最初からやり直してください。",
            VerdictUnsupported => "この電子証明書は受け付けられません。",
            VerdictDataMismatch => "カードの情報と電子証明書の情報が一致しません。住所や氏名の変更後は、市区町村の窓口で電子証明書の更新が必要です。",
            VerdictInvalid => "送信した記録に問題がありました。管理者に連絡してください。",
            VerdictReview => "この記録は端末に保管され、管理者が確認します。",
            Reveal => "表示",
            Hide => "非表示",
            KeyEnter => "次へ",
            KeyEsc => "最初から",
            KeyScroll => "スクロール",
            KeyChoose => "選択",
            KeyYesNo => "はい/いいえ",
            KeyDiag => "診断",
            KeyReader => "リーダー切替",
            KeyLang => "English",
            KeyQuit => "終了",
            Queue => "未送信",
            Unsealed => "暗号化なし",
            TooSmall => "端末が小さすぎます（80x24以上が必要です）",
            StoreFailedFull => "未送信の記録が上限に達しているため、記録を保存できませんでした。受付は完了していません。送信が進んでからもう一度お試しください。",
            StoreFailedDisk => "記録を端末に保存できませんでした。受付は完了していません。管理者がディスクの空きと権限を確認してください。",
            StoreFailedSeal => "記録を暗号化できませんでした。受付は完了していません。管理者が送信先の公開鍵の設定を確認してください。",
            SignatureInvalid => "カードの電子署名をこの端末で確認できませんでした。記録は保存していません。カードを置き直して、最初からやり直してください。",
            NoCertificateAdult => "このカードには署名用電子証明書が入っていません（カードの申請時に発行しなかった場合や、顔認証マイナンバーカードの場合など）。署名用電子証明書は、お住まいの市区町村の窓口で発行を受けられます。",
            DoneReview => "カードの内容と署名用電子証明書の内容が一致しない項目があります:",
            DoneReviewWhy => "住所や氏名などの変更後に電子証明書が更新されていないと起こります。電子証明書の更新は市区町村の窓口で行います。記録は保存され、担当者が確認します。",
            ConfirmAdvice => "カードの内容が実際と違う場合、再読み取りをしても変わりません。カードの記載内容の変更は市区町村の窓口で行います。「中止」を選ぶと、何も記録せずに終了します。",
            ButtonStop => "中止",
            Hotline => "マイナンバー総合フリーダイヤル 0120-95-0178\n（平日 9:30～20:00、土日祝 9:30～17:30）",
            ReceiptNumber => "受付番号",
            ReceiptKeep => "受付番号を控えるか、QRコードを撮影してください。",
            Review => "要確認",
            PlacementSuspect => "カードが動いたか、置き方が悪いようです。ケースから出し、リーダーの中央に置いてください。",
            PrivacyHeading => "個人情報の取り扱い",
            RepresentativeHeading => "法定代理人の確認（職員が操作します）",
            RepresentativeNote => "15歳未満の方、または成年被後見人の方の手続きは、法定代理人が行います。来庁した方を確認し、ファンクションキーで選んでください。",
            RepresentativeParent => "F5: 親権者",
            RepresentativeGuardian => "F6: 後見人（未成年後見人・成年後見人）",
            RepresentativeOther => "F7: その他の代理人（委任状）",
            RepresentativeChoose => "選んでから Enter を押してください。選ぶまで先に進めません。",
            RepresentativeKey => "F5: 代理人による手続き（職員）",
            EmailAgain => "確認のため、同じメールアドレスをもう一度入力してください。",
            EmailMismatch => "1回目と2回目のメールアドレスが一致しません。もう一度はじめから入力してください。",
            CardTipCase => "・カードをケースから出してください。",
            CardTipMetal => "・金属製の机の上や、金属の近くに置かないでください。",
            CardTipStill => "・読み取りが終わるまで、5秒ほど動かさずにお待ちください。",
            KonbiniReset => "署名用電子証明書のパスワードは、市区町村の窓口のほか、コンビニ等でも初期化・再設定できます（お住まいの市区町村が対応している場合）。",
            ResetHere => "この窓口で暗証番号の初期化ができます。職員にお声がけください。",
            DoneVerdictLater => "電子証明書の確認結果（Code 21/23 など）は後で担当者に届きます。お手続きに問題があった場合は、担当者からご連絡します。",
            DiagRunning => "動作中",
            DiagNotRunning => "停止",
            DiagReader => "リーダー",
            DiagTitleFull => "リーダー診断",
            DiagNoReader => "リーダーが接続されていません",
            DiagCard => "カード",
            DiagKind => "種類",
            DiagAtrDecoded => "ATR解析",
            DiagHistorical => "ヒストリカル",
            DiagKnownAtr => "マイナンバーカードの既知ATR",
            DiagProtocol => "プロトコル",
            DiagExtended => "拡張APDU",
            DiagExtendedShort => "拡張APDU",
            DiagExtendedMeasured => "拡張APDU（実測）",
            DiagYes => "対応",
            DiagNo => "非対応",
            DiagYesMeasured => "対応（実測）",
            DiagNoMeasured => "非対応（実測）",
            DiagLastApdu => "最終APDU応答",
            DiagLastApduLong => "最終APDU応答",
            DiagRtt => "応答",
            DiagVendor => "メーカー",
            DiagModel => "型番",
            DiagFirmware => "ファームウェア",
            DiagVendorModelFirmware => "メーカー / 型番 / FW",
            DiagRemovals => "カード取り外し回数",
            DiagRemovalsShort => "取り外し",
            DiagRemovalsSession => "このセッションでのカード取り外し",
            DiagLastError => "最後のエラー",
            CardAbsent => "なし",
            CardPresent => "あり",
            CardMute => "応答なし（置き直してください）",
            CardBusy => "他のプログラムが使用中",
            KindMyNumberCard => "マイナンバーカード",
            KindJukiCard => "住基カード",
            KindNotJpki => "JPKIのないカード",
            ReadersNoCard => "カードなし",
            ReadersCardMute => "カード応答なし",
            ReadersCardBusy => "カードあり（他のプログラムが使用中）",
            ReadersCardPresent => "カードあり",
        },
        Lang::En => match m {
            Title => "Madoguchi - My Number Card enrollment",
            StepConsent => "Consent",
            StepCard => "Card",
            StepPin => "PIN",
            StepReading => "Read",
            StepConfirm => "Check",
            StepContact => "Contact",
            StepSign => "Sign",
            StepSend => "Send",
            StepDone => "Done",
            ConsentHeading => "Terms of use",
            ConsentScrollHint => "Read to the end with Down / PgDn; then you can agree.",
            ConsentAcceptHint => "Enter: agree and continue",
            PlaceCard => "Place the My Number Card on the reader.",
            KeepCardStill => "Keep the card still until reading is finished.",
            NoticeCardRemoved => "The card left the reader. Place it on the reader again.",
            NoticeTimedOut => "No activity for a while: everything entered was erased.",
            NoticeCancelled => "Everything entered was erased.",
            NoticeQueueFull => "The queue of unsent records is full: no new enrollment can start. Check the network and wait for sending to finish.",
            PinRuleText => "4 digits. 3 tries; then the PIN locks.",
            PinRuleSign => "6-16 capital letters and digits, at least one of each (lower case counts as capitals). 5 tries.",
            CheckingTries => "Checking the tries left...",
            CharNotAllowed => "That character can't be entered here.",
            ConfirmLastTry => "This is the last try. Send it?  Y: yes  N: no",
            Reading => "Reading the card. Keep it still.",
            ConfirmHeading => "Please check what was read from the card.",
            ConfirmNote => "If anything is wrong, choose Read again.",
            LabelName => "Name",
            LabelFormerName => "Former name",
            LabelGender => "Gender",
            LabelBirth => "Birth date",
            LabelAddress => "Address",
            Male => "male",
            Female => "female",
            OtherGender => "other / unknown",
            ButtonReread => "Read again",
            ButtonNext => "Next",
            ContactHeading => "Enter your contact e-mail address.",
            ContactNote => "Please check the address once more before continuing.",
            EmailEmpty => "Enter an e-mail address.",
            EmailAt => "The address needs exactly one \"@\".",
            EmailLocal => "The part before \"@\" is not valid.",
            EmailDomain => "The part after \"@\" (the domain) is not valid.",
            EmailTooLong => "The address is too long.",
            Signing => "Signing with the card. Keep it still.",
            Storing => "Saving the record...",
            Sending => "Sending...",
            DoneHeading => "Enrollment complete.",
            DoneQueued => "The record is saved and will be sent automatically when the network is available.",
            DoneUnsigned => "No signing certificate on this card: accepted with the basic four items only.",
            NextCitizen => "Enter: next person",
            StoppedHeading => "Cannot continue",
            StoreFailed => "The record could not be saved. Enrollment is not complete. Please try again.",
            DifferentCard => "A different card was placed than the one checked. Please start over.",
            VerdictExpired => "Code 21: the signing certificate has expired. Renew it at the municipal office, then come back.",
            VerdictRevoked => "Code 23: the signing certificate is revoked. Renew it at the municipal office, then come back.",
            VerdictSignature => "The signature could not be verified. Please start over.",
            VerdictUnsupported => "This certificate is not accepted.",
            VerdictDataMismatch => "The card data and the certificate do not match. After a move or name change, the certificate must be renewed at the municipal office.",
            VerdictInvalid => "The backend rejected the record. Contact the administrator.",
            VerdictReview => "The record stays on this station for the administrator to review.",
            Reveal => "show",
            Hide => "hide",
            KeyEnter => "next",
            KeyEsc => "start over",
            KeyScroll => "scroll",
            KeyChoose => "choose",
            KeyYesNo => "yes/no",
            KeyDiag => "diagnostics",
            KeyReader => "reader",
            KeyLang => "日本語",
            KeyQuit => "quit",
            Queue => "unsent",
            Unsealed => "NOT encrypted",
            TooSmall => "Terminal too small (80x24 needed)",
            StoreFailedFull => "The queue of unsent records is full, so the record could not be saved. Enrollment is not complete. Try again once records have been sent.",
            StoreFailedDisk => "The record could not be saved on this station. Enrollment is not complete. The administrator should check disk space and permissions.",
            StoreFailedSeal => "The record could not be encrypted. Enrollment is not complete. The administrator should check the backend public key setting.",
            SignatureInvalid => "The card's signature could not be verified on this station. Nothing was saved. Place the card again and start over.",
            NoCertificateAdult => "This card holds no signing certificate (it was not requested when the card was issued, or this is a face-authentication My Number Card). The municipal office issues signing certificates.",
            DoneReview => "Some items on the card differ from the signing certificate:",
            DoneReviewWhy => "This happens when the certificate was not renewed after a move or name change; the municipal office renews it. The record is saved and will be reviewed by staff.",
            ConfirmAdvice => "If the data on the card is wrong, reading it again will not change it: the municipal office updates the card. \"Stop\" ends here without recording anything.",
            ButtonStop => "Stop",
            Hotline => "My Number general toll-free line 0120-95-0178\n(weekdays 9:30-20:00, weekends and holidays 9:30-17:30)",
            ReceiptNumber => "Receipt number",
            ReceiptKeep => "Write down the receipt number or take a photo of the QR code.",
            Review => "review",
            PlacementSuspect => "Card moving or badly placed? Take it out of its case and center it on the reader.",
            PrivacyHeading => "Handling of personal information",
            RepresentativeHeading => "Legal representative (staff operate this step)",
            RepresentativeNote => "For holders under 15 or under adult guardianship, a legal representative (法定代理人) applies. Check who is present and choose with a function key.",
            RepresentativeParent => "F5: parent (親権者)",
            RepresentativeGuardian => "F6: guardian (後見人)",
            RepresentativeOther => "F7: other representative (power of attorney)",
            RepresentativeChoose => "Choose, then press Enter. The enrollment cannot go on without it.",
            RepresentativeKey => "F5: a representative applies (staff)",
            EmailAgain => "Type the same e-mail address once more to confirm it.",
            EmailMismatch => "The two entries differ. Please type the address again from the start.",
            CardTipCase => "- Take the card out of its case.",
            CardTipMetal => "- Keep it off metal desks and away from metal.",
            CardTipStill => "- Hold it still for about 5 seconds until reading ends.",
            KonbiniReset => "The signing password (署名用電子証明書のパスワード) can also be reset at convenience-store kiosks where your municipality offers it, besides the municipal office.",
            ResetHere => "PINs can be reset at this counter: please ask the staff.",
            DoneVerdictLater => "The certificate check (Code 21/23 and the like) reaches the staff later; they will contact you if there is a problem.",
            DiagRunning => "running",
            DiagNotRunning => "not running",
            DiagReader => "Reader",
            DiagTitleFull => "Reader diagnostics",
            DiagNoReader => "No reader connected",
            DiagCard => "Card",
            DiagKind => "Kind",
            DiagAtrDecoded => "ATR decoded",
            DiagHistorical => "historical",
            DiagKnownAtr => "known My Number Card ATR",
            DiagProtocol => "Protocol",
            DiagExtended => "Extended APDU",
            DiagExtendedShort => "Ext. APDU",
            DiagExtendedMeasured => "Extended APDU (measured)",
            DiagYes => "yes",
            DiagNo => "no",
            DiagYesMeasured => "yes (measured)",
            DiagNoMeasured => "no (measured)",
            DiagLastApdu => "Last APDU",
            DiagLastApduLong => "Last APDU round trip",
            DiagRtt => "RTT",
            DiagVendor => "Vendor",
            DiagModel => "Model",
            DiagFirmware => "Firmware",
            DiagVendorModelFirmware => "Vendor / model / firmware",
            DiagRemovals => "Card removals",
            DiagRemovalsShort => "Removals",
            DiagRemovalsSession => "Card removals this session",
            DiagLastError => "Last error",
            CardAbsent => "none",
            CardPresent => "present",
            CardMute => "not answering (place it again)",
            CardBusy => "in use by another program",
            KindMyNumberCard => "My Number Card",
            KindJukiCard => "Juki card",
            KindNotJpki => "card without JPKI",
            ReadersNoCard => "no card",
            ReadersCardMute => "card mute",
            ReadersCardBusy => "card present (in use by another program)",
            ReadersCardPresent => "card present",
        },
    }
}

/// A reader's card state, in words.
pub fn card_state(lang: Lang, c: CardState) -> &'static str {
    msg(
        lang,
        match c {
            CardState::Absent => Msg::CardAbsent,
            CardState::Present => Msg::CardPresent,
            CardState::Mute => Msg::CardMute,
            CardState::Busy => Msg::CardBusy,
        },
    )
}

/// What the token EF said (`my_number_card`, `juki_card`, `not_jpki`, `other:<text>`), in
/// words; a kind without a name here is shown as its code.
pub fn card_kind(lang: Lang, kind: &str) -> String {
    let m = match kind {
        "my_number_card" => Msg::KindMyNumberCard,
        "juki_card" => Msg::KindJukiCard,
        "not_jpki" => Msg::KindNotJpki,
        other => return other.to_string(),
    };
    msg(lang, m).to_string()
}

/// Whether the extended-length check succeeded; `measured` says so in the words (for the
/// `diagnose` text, where no heading says it).
pub fn yes_no(lang: Lang, v: Option<bool>, measured: bool) -> &'static str {
    match (v, measured) {
        (Some(true), false) => msg(lang, Msg::DiagYes),
        (Some(false), false) => msg(lang, Msg::DiagNo),
        (Some(true), true) => msg(lang, Msg::DiagYesMeasured),
        (Some(false), true) => msg(lang, Msg::DiagNoMeasured),
        (None, _) => "—",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_one_sentence_or_two_and_nonempty() {
        let errors = [
            CardError::NotMyNumberCard,
            CardError::WrongPin {
                kind: PinKind::TextPin,
                tries_left: 2,
            },
            CardError::Locked {
                kind: PinKind::SignPassword,
            },
            CardError::NoSigningCertificate,
            CardError::Transport(TransportError::NoService),
            CardError::Transport(TransportError::CardRemoved),
        ];
        for e in &errors {
            for lang in [Lang::Ja, Lang::En] {
                let m = card_error(lang, e);
                assert!(!m.is_empty() && !m.contains('\n'), "{m}");
            }
        }
        assert!(card_error(Lang::Ja, &errors[1]).contains("残り入力回数は2回"));
        assert!(card_error(Lang::En, &errors[2]).contains("municipal office"));
    }
}
