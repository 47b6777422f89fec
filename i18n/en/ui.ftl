title = Madoguchi - My Number Card enrollment
step-consent = Consent
step-card = Card
step-pin = PIN
step-reading = Read
step-confirm = Check
step-contact = Contact
step-sign = Sign
step-send = Send
step-done = Done
consent-heading = Terms of use
consent-scroll-hint = Read to the end; then you can agree.
place-card = Place the My Number Card (マイナンバーカード) on the reader.
keep-card-still = Keep the card still until reading is finished.
notice-card-removed = The card left the reader. Place it on the reader again.
notice-timed-out = No activity for a while: everything entered was erased.
notice-cancelled = Everything entered was erased.
notice-queue-full = The queue of unsent records is full: no new enrollment can start. Check the network and wait for sending to finish.
pin-rule-text = 4 digits. Up to 3 tries; 3 wrong entries lock it.
pin-rule-sign = 6-16 capital letters and digits, at least one of each (lower case counts as capitals). Up to 5 tries; 5 wrong entries lock it.
checking-tries = Checking the tries left...
char-not-allowed = That character can't be entered here.
pin-wait-for-tries = Not checked yet: the tries left are still being read. What you typed stays; press { $keys } again once they show.
confirm-last-try = This is the last try: a mistake locks it. Check this one?
reading = Reading the card. Keep it still.
confirm-heading = Please check what was read from the card.
confirm-note = If anything is wrong, reading again will not change it: choose Stop (nothing is recorded) and have the municipal office (市区町村の窓口) update the card.
label-name = Name
label-former-name = Former name
label-gender = Gender
label-birth = Birth date
# The Japanese era of the birth date on the confirm screen (和暦), by $era.
era-name =
    { $era ->
        [meiji] Meiji
        [taisho] Taisho
        [showa] Showa
        [heisei] Heisei
       *[reiwa] Reiwa
    }
label-address = Address
male = male
female = female
other-gender = other / unknown
button-reread = Read again
button-next = Next
contact-heading = Enter your contact e-mail address.
contact-note = Please check the address once more before continuing.
email-empty = Enter an e-mail address.
email-at = The address needs exactly one "@".
email-local = The part before "@" is not valid.
email-domain = The part after "@" (the domain) is not valid.
email-too-long = The address is too long.
signing = Signing with the card. Keep it still.
storing = Saving the record...
sending = Sending...
done-heading = Enrollment complete.
done-queued = The record is saved and will be sent automatically when the network is available.
done-unsigned = No signing certificate on this card: the card was checked with its user certificate instead, and the basic four items accepted.
stopped-heading = Cannot continue
store-failed = The record could not be saved. Enrollment is not complete. Please try again.
different-card = A different card was placed than the one checked. Please start over.
verdict-expired = Code 21: the signing certificate (署名用電子証明書) has expired. Renew it at the municipal office (市区町村の窓口), then apply again.
verdict-revoked = Code 23: the signing certificate (署名用電子証明書) has been revoked. Renew it at the municipal office (市区町村の窓口), then apply again.
verdict-signature = The signature could not be verified. Please start over.
verdict-unsupported = This certificate is not accepted.
verdict-data-mismatch = The card data and the certificate do not match. After a move or name change, the certificate must be renewed at the municipal office (市区町村の窓口).
verdict-invalid = The backend rejected the record. Contact the administrator.
verdict-review = The record stays on this station for the administrator to review.
reveal = show
hide = hide
key-enter = confirm
key-esc = start over
key-scroll = scroll
key-choose = choose
key-diag = diagnostics
key-reader = reader
key-lang = Lang
key-quit = quit
queue = unsent
unsealed = NOT encrypted
too-small = Terminal too small (80x24 needed)
store-failed-full = The queue of unsent records is full, so the record could not be saved. Enrollment is not complete. Try again once records have been sent.
store-failed-disk = The record could not be saved on this station. Enrollment is not complete. The administrator should check disk space and permissions.
store-failed-seal = The record could not be encrypted. Enrollment is not complete. The administrator should check the backend public key setting.
signature-invalid = The card's signature could not be verified on this station. Nothing was saved. Place the card again and start over.
no-certificate-adult = This card holds no signing certificate (署名用電子証明書): it was not issued when the card was applied for, or this is a face-authentication My Number Card. The municipal office (市区町村の窓口) where you live can issue one.
done-review = Some items on the card differ from the signing certificate:
done-review-why = This happens when the certificate was not renewed after a move or name change; the municipal office (市区町村の窓口) renews it. The record is saved and will be reviewed by staff.
button-stop = Stop
hotline =
    My Number general toll-free line (マイナンバー総合フリーダイヤル) 0120-95-0178
    (weekdays 9:30-20:00, weekends and holidays 9:30-17:30)
receipt-number = Receipt number
receipt-keep = Write down the receipt number or take a photo of the QR code.
review = review
privacy-heading = Handling of personal information
representative-heading = Legal representative (staff operate this step)
representative-note = For holders under 15 or under adult guardianship, a legal representative (法定代理人) applies. Check who is present and choose with a function key.
representative-parent = parent (親権者)
representative-guardian = guardian (後見人)
representative-other = other representative (power of attorney)
representative-choose = Choose who applies, then confirm. The enrollment cannot go on without it.
email-again = Type the same e-mail address once more to confirm it.
email-mismatch = The two entries differ. Please type the address again from the start.
card-tip-case = - Take the card out of its case.
card-tip-metal = - Keep it off metal desks and away from metal.
card-tip-still = - Hold it still for about 5 seconds until reading ends.
konbini-reset = The 署名用電子証明書のパスワード (signing certificate password) can also be reset at convenience-store kiosks where your municipality offers it, besides the municipal office.
reset-here = PINs can be reset at this counter: please ask the staff.
done-verdict-later = The certificate check (Code 21/23 and the like) reaches the staff later; they will contact you if there is a problem.
diag-running = running
diag-not-running = not running
diag-reader = Reader
diag-title-full = Reader diagnostics
diag-no-reader = No reader connected
diag-card = Card
diag-kind = Kind
diag-atr-decoded = ATR decoded
# How the card talks to the reader, as the ATR says (`contact`, `contactless`, `unknown`).
diag-interface =
    { $interface ->
        [contact] contact
        [contactless] contactless
       *[unknown] unknown
    }
diag-historical = historical
diag-known-atr = known My Number Card ATR
diag-protocol = Protocol
diag-extended = Extended APDU
diag-extended-short = Ext. APDU
diag-extended-measured = Extended APDU (measured)
diag-yes = yes
diag-no = no
diag-yes-measured = yes (measured)
diag-no-measured = no (measured)
diag-last-apdu = Last APDU
diag-last-apdu-long = Last APDU round trip
diag-rtt = RTT
diag-vendor = Vendor
diag-model = Model
diag-firmware = Firmware
diag-vendor-model-firmware = Vendor / model / firmware
diag-removals = Card removals
diag-removals-short = Removals
diag-removals-session = Card removals this session
diag-last-error = Last error
# `madoguchi diagnose`: the station's own configuration; `madoguchi outbox list`'s columns.
diag-config-file = config
diag-seal-kid = seal key (kid)
diag-config-invalid = config problem: { $path } line { $line } ({ $message }). The station does not start until it is fixed.
diag-config-unreadable = config problem: cannot read { $path } ({ $error }).
diag-config-file-problem = config problem: the file of { $key } cannot be used ({ $error }).
outbox-col-id = id
outbox-col-status = status
outbox-col-attempts = attempts
outbox-col-age = age
outbox-col-next = next in
outbox-col-assurance = assurance
outbox-col-kid = key (kid)
outbox-col-last-error = last error
card-absent = none
card-present = present
card-mute = not answering (place it again)
card-busy = in use by another program
kind-my-number-card = My Number Card
kind-juki-card = Juki card
kind-not-jpki = card without JPKI
readers-no-card = no card
readers-card-mute = card mute
readers-card-busy = card present (in use by another program)
readers-card-present = card present
cli-last-try-hint = To go ahead, run again with --last-try.
cli-no-pin = No PIN was entered. Nothing was sent to the card.

# Reader health and the status command.
placement-suspect = Card moving or badly placed? Take it out of its case and center it on the reader.
health-title = APDU round trips (last { $n }, max { $max } ms)
health-counts = removals { $removals } · re-sends { $resends } · transmit errors { $errors }
status-no-station = No running station answers ({ $path }: { $error }). Is the station running as this user?
status-too-many = The station already answers { $max } support clients; try again when one of them ends.
status-station-gone = The watched station has stopped ({ $path }).
status-label-station = station
status-label-uptime = uptime
status-label-step = step
status-label-reader = reader
status-label-pcscd = pcscd
status-label-queue = unsent
status-label-delivery = last delivery
status-label-apdu = APDU round trips
status-label-errors = errors
# Keys: the help line's words and the panes' key lines (the keys themselves are in src/ui/keys.rs).
key-agree = agree and continue
key-verify = check PIN
key-next-citizen = next person
key-yes = yes
key-no = no
key-citizen-lang = language
key-representative = representative (staff)
key-pick = choose
key-skip = skip
key-decline = decline
key-dont-wait = don't wait
key-quit-now = quit
key-continue = go on
key-close = close
key-demo-card = card in/out
pin-full = No more can be typed: the { $pin } has at most { $max } characters.
email-character = That character can't be used: type letters, digits and symbols of the address.
email-legacy = This address has consecutive dots or a dot before "@" (docomo and au addresses from before 2009). It is taken, but some senders can't deliver to it.
contact-optional = The e-mail address is optional: the enrollment can go on without it.
notice-declined = Not agreed: the enrollment ended and nothing was recorded.
quit-question = Quit the station? Everything entered is erased.
quit-saving = Saving the record… the station quits once it is saved.
no-certificate-note-minors = This card holds no signing certificate (署名用電子証明書). Holders under 15 are enrolled without a signature: the card is checked with the PIN of its user certificate (利用者証明用電子証明書, 4 digits) instead. Holders of 15 or over need a signing certificate from the municipal office (市区町村の窓口) first.
no-certificate-note-unsigned = This card holds no signing certificate (署名用電子証明書): the card is checked with the PIN of its user certificate (利用者証明用電子証明書, 4 digits) instead of a signature.
finding-expired = The certificates on this card have expired (Code 21). Renew them at the municipal office (市区町村の窓口), then apply again. No PIN was typed: no try was used.
health-title-short = APDU round trips
diag-not-used = not used (demo card)
status-socket-failed = The support status socket { $path } could not be opened ({ $reason }): `madoguchi status` can't reach this station.
status-socket-reason =
    { $reason ->
        [in_use] another station answers on this socket
        [not_private] its directory is not this user's own
        [permission] permission denied
        [read_only] read-only file system
        [no_space] no space left on the disk
        [not_found] the directory does not exist
       *[other] an unexpected error; the log has the details
    }
status-socket-short = status ✕
status-pcscd-state =
    { $state ->
        [running] running
        [stopped] stopped
        [not_used] not used (demo)
       *[unknown] unknown
    }
status-uptime = { $secs } s
status-busy = working
status-queue = { $pending } (review { $review })
status-crl =
    { $hours } h old{ $fresh ->
        [yes] {""}
       *[no] {" "}(stale: not used)
    }
status-apdu = { $n } APDUs, median { $median } µs, max { $max } µs
status-errors = { $n } (removals { $removals }, transmit errors { $transmit })
status-label-crl = CRL
# `madoguchi status` values, by code.
status-code =
    { $code ->
        [no_service] pcscd not running
        [no_reader] no reader
        [unknown_reader] reader not found
        [no_card] no card
        [card_removed] card removed
        [card_reset] card reset
        [card_unresponsive] card not responding
        [reader_busy] reader busy (another program)
        [timeout] timeout
        [extended_unsupported] no extended APDUs
        [refused] refused for safety
        [communication] communication error
        [not_my_number_card] not a My Number Card
        [wrong_pin] wrong PIN
        [pin_locked] PIN locked
        [security_status] PIN not verified
        [file_not_found] file not found
        [no_signing_certificate] no signing certificate
        [malformed_answer] invalid card answer
        [card_status] card error status
        [outbox_full] outbox full
        [outbox_storage] record not saved
        [outbox_seal] record not encrypted
        [outbox_encode] record not built
        [pcscd_down] pcscd stopped
        [reader_removed] reader unplugged
        [card_mute] card mute
        [delivery_failed] not delivered, will retry
        [accepted] accepted
        [queued] queued
        [certificate_expired] expired (Code 21)
        [certificate_revoked] revoked (Code 23)
        [signature_mismatch] signature mismatch
        [unsupported_certificate] certificate not accepted
        [card_data_mismatch] card and certificate differ (review)
        [invalid_request] invalid record
       *[other] { $code }
    }

# How the panes join words: a list's items, a key and what it does, a label and its value,
# a count after its name. The code only places what these make.
list-separator = { ", " }
key-hint = { $keys }: { $action }
labelled = { $label }: { $value }
enrollment-id = ID
queue-count = { queue } { $n }
review-count = { review } { $n }
done-review-items = { done-review } { $items }
# The birth date, on the confirm screen and in `madoguchi read`: 和暦 and 西暦. $era is the
# era's key (as in era-name; none before Meiji), $era_year the year of the era (1 is the
# first, 元年), $year $month $day the Gregorian date (numbers).
birth-date =
    { $era ->
        [none] { $year }-{ NUMBER($month, minimumIntegerDigits: 2) }-{ NUMBER($day, minimumIntegerDigits: 2) }
       *[other] { $year }-{ NUMBER($month, minimumIntegerDigits: 2) }-{ NUMBER($day, minimumIntegerDigits: 2) } ({ era-name } { $era_year })
    }
# The 利用者証明 challenge: its step, PIN screen, stops and verdicts; how a record proves the card.
step-prove = Authenticate
auth-pin-why = To make sure the card is genuine, the card proves itself with its user certificate (利用者証明用電子証明書), instead of a signature.
auth-pin-other = This is another PIN than the one entered before (some holders chose the same digits). For a child under 15, it is the PIN the legal representative set when the card was issued.
proving = Checking the card with its user certificate. Keep it still.
no-auth-certificate = This card holds no user certificate (利用者証明用電子証明書), for instance when none was requested with the card. The municipal office (市区町村の窓口) where the holder lives issues one.
verdict-auth-expired = Code 21: the user certificate (利用者証明用電子証明書) has expired. Renew it at the municipal office (市区町村の窓口), then apply again.
verdict-auth-revoked = Code 23: the user certificate (利用者証明用電子証明書) has been revoked. Renew it at the municipal office (市区町村の窓口), then apply again.
verdict-assurance = The backend could not confirm that the card proved this record (a signature or the user certificate). Place the card and start again; if it happens again, contact the administrator.
verdict-record-time = The backend refused the record's date and time: this station's clock is far off, or the record is too old. Check the station's clock and contact the administrator.
done-unauthenticated = Accepted with the basic four items only, without a check of the card's certificates.
done-level = Card proof (clerk): { $level } ({ $code })
level-signed = signed with the signing certificate
level-card-authenticated = checked with the user certificate
level-unauthenticated = card NOT checked
unauthenticated-allowed = unchecked records ALLOWED
