title = 窓口 마이넘버 카드 접수
step-consent = 동의
step-card = 카드
step-pin = 비밀번호
step-reading = 읽기
step-confirm = 확인
step-contact = 연락처
step-sign = 서명
step-send = 전송
step-done = 완료
consent-heading = 이용약관
consent-scroll-hint = 끝까지 읽어 주십시오. 끝까지 읽으면 동의할 수 있습니다.
place-card = 마이넘버 카드를 리더기에 올려 주십시오.
keep-card-still = 읽기가 끝날 때까지 카드를 움직이지 마십시오.
notice-card-removed = 카드가 리더기에서 떨어졌습니다. 다시 리더기에 올려 주십시오.
notice-timed-out = 일정 시간 조작이 없어 입력 내용을 지우고 처음으로 돌아갔습니다.
notice-cancelled = 입력 내용을 지우고 처음으로 돌아갔습니다.
notice-queue-full = 전송되지 않은 기록이 한도에 도달하여 새 접수를 시작할 수 없습니다. 네트워크를 확인하고 전송이 끝날 때까지 기다려 주십시오.
pin-rule-text = 숫자 4자리입니다. 입력은 3회까지이며, 모두 틀리면 잠깁니다.
pin-rule-sign = 영문자(대문자)와 숫자를 모두 포함한 6~16자리입니다. 소문자는 대문자로 처리합니다. 입력은 5회까지이며, 5회 모두 틀리면 잠깁니다.
checking-tries = 남은 입력 횟수를 확인하고 있습니다…
char-not-allowed = 이 문자는 입력할 수 없습니다.
pin-wait-for-tries = 아직 확인하지 않았습니다(남은 입력 횟수를 읽는 중입니다). 입력한 문자는 그대로 있습니다. 남은 횟수가 표시되면 { $keys }을(를) 다시 눌러 주세요.
confirm-last-try = 마지막 1회입니다. 틀리면 잠깁니다. 이대로 확인하시겠습니까?
reading = 카드를 읽고 있습니다. 카드를 움직이지 마십시오.
confirm-heading = 카드에서 읽은 내용을 확인해 주십시오.
confirm-note = 내용이 실제와 다르면 다시 읽어도 바뀌지 않으므로 「중지」를 선택하고(아무것도 기록되지 않습니다) 시구정촌(市区町村) 창구에서 기재 내용을 변경해 주십시오.
label-name = 성명
label-former-name = 옛 성(旧氏)
label-gender = 성별
label-birth = 생년월일
# The Japanese era of the birth date on the confirm screen (和暦), by $era.
era-name =
    { $era ->
        [meiji] 메이지
        [taisho] 다이쇼
        [showa] 쇼와
        [heisei] 헤이세이
       *[reiwa] 레이와
    }
label-address = 주소
male = 남성
female = 여성
other-gender = 기타・불명
button-reread = 다시 읽기
button-next = 다음
contact-heading = 연락받을 이메일 주소를 입력해 주십시오.
contact-note = 입력한 이메일 주소가 맞는지 다시 한번 확인해 주십시오. 반각 영문・숫자로 입력합니다.
email-empty = 이메일 주소를 입력해 주십시오.
email-at = 「@」가 1개 들어간 이메일 주소를 입력해 주십시오.
email-local = 「@」 앞부분이 올바르지 않습니다.
email-domain = 「@」 뒷부분(도메인)이 올바르지 않습니다.
email-too-long = 이메일 주소가 너무 깁니다.
signing = 전자서명을 하고 있습니다. 카드를 움직이지 마십시오.
storing = 기록을 저장하고 있습니다…
sending = 전송하고 있습니다…
done-heading = 접수가 완료되었습니다.
done-queued = 기록은 저장되었습니다. 네트워크를 사용할 수 있게 되면 자동으로 전송됩니다.
done-unsigned = 서명용 전자증명서가 없으므로, 서명 대신 이용자증명용 전자증명서로 카드를 확인하고 기본 4정보로 접수했습니다.
stopped-heading = 접수를 계속할 수 없습니다
store-failed = 기록을 저장하지 못했습니다. 접수는 완료되지 않았습니다. 다시 시도해 주십시오.
different-card = 확인한 카드와 다른 카드가 놓였습니다. 처음부터 다시 해 주십시오.
verdict-expired = Code 21: 서명용 전자증명서(署名用電子証明書)의 유효기간이 지났습니다. 시구정촌(市区町村) 창구에서 전자증명서를 갱신한 후 다시 신청해 주십시오.
verdict-revoked = Code 23: 서명용 전자증명서(署名用電子証明書)가 실효되었습니다. 시구정촌(市区町村) 창구에서 전자증명서를 갱신한 후 다시 신청해 주십시오.
verdict-signature = 전자서명을 확인하지 못했습니다. 처음부터 다시 해 주십시오.
verdict-unsupported = 이 전자증명서는 접수할 수 없습니다.
verdict-data-mismatch = 카드 정보와 전자증명서 정보가 일치하지 않습니다. 주소나 성명을 변경한 후에는 시구정촌(市区町村) 창구에서 전자증명서를 갱신해야 합니다.
verdict-invalid = 전송한 기록에 문제가 있었습니다. 관리자에게 연락해 주십시오.
verdict-review = 이 기록은 단말기에 보관되며 관리자가 확인합니다.
reveal = 표시
hide = 숨기기
key-enter = 결정
key-esc = 처음부터
key-scroll = 스크롤
key-choose = 선택
key-diag = 진단
key-reader = 리더기 전환
key-lang = 언어
key-quit = 종료
queue = 미전송
unsealed = 암호화 안 됨
too-small = 단말 화면이 너무 작습니다(80x24 이상 필요)
store-failed-full = 전송되지 않은 기록이 한도에 도달하여 기록을 저장하지 못했습니다. 접수는 완료되지 않았습니다. 전송이 진행된 후 다시 시도해 주십시오.
store-failed-disk = 기록을 단말기에 저장하지 못했습니다. 접수는 완료되지 않았습니다. 관리자가 디스크 여유 공간과 권한을 확인해야 합니다.
store-failed-seal = 기록을 암호화하지 못했습니다. 접수는 완료되지 않았습니다. 관리자가 전송처 공개키 설정을 확인해야 합니다.
signature-invalid = 카드의 전자서명을 이 단말기에서 확인하지 못했습니다. 기록은 저장하지 않았습니다. 카드를 다시 올리고 처음부터 다시 해 주십시오.
no-certificate-adult = 이 카드에는 서명용 전자증명서(署名用電子証明書)가 들어 있지 않습니다(카드 신청 시 발급하지 않은 경우나 얼굴인증 마이넘버 카드인 경우 등). 서명용 전자증명서는 거주하시는 시구정촌(市区町村) 창구에서 발급받을 수 있습니다.
done-review = 카드 내용과 서명용 전자증명서 내용이 일치하지 않는 항목이 있습니다:
done-review-why = 주소나 성명 등을 변경한 후 전자증명서를 갱신하지 않으면 발생합니다. 전자증명서 갱신은 시구정촌(市区町村) 창구에서 합니다. 기록은 저장되며 담당자가 확인합니다.
button-stop = 중지
hotline =
    마이넘버 종합 무료전화(マイナンバー総合フリーダイヤル) 0120-95-0178
    (평일 9:30~20:00, 토・일・공휴일 9:30~17:30)
receipt-number = 접수번호
receipt-keep = 접수번호를 적어 두시거나 QR코드를 촬영해 주십시오.
review = 확인 필요
privacy-heading = 개인정보의 취급
representative-heading = 법정대리인 확인(직원이 조작합니다)
representative-note = 15세 미만인 분 또는 성년피후견인인 분의 절차는 법정대리인(法定代理人)이 합니다. 방문한 분을 확인하고 기능키로 선택해 주십시오.
representative-parent = 친권자(親権者)
representative-guardian = 후견인(後見人)
representative-other = 기타 대리인(위임장)
representative-choose = 대리인을 선택한 후 결정해 주십시오. 선택하기 전에는 진행할 수 없습니다.
email-again = 확인을 위해 같은 이메일 주소를 한 번 더 입력해 주십시오.
email-mismatch = 1회째와 2회째 이메일 주소가 일치하지 않습니다. 처음부터 다시 입력해 주십시오.
card-tip-case = ・카드를 케이스에서 꺼내 주십시오.
card-tip-metal = ・금속 책상 위나 금속 근처에 두지 마십시오.
card-tip-still = ・읽기가 끝날 때까지 5초 정도 움직이지 말고 기다려 주십시오.
konbini-reset = 署名用電子証明書のパスワード(서명용 전자증명서 비밀번호)는 시구정촌(市区町村) 창구 외에 편의점 등에서도 초기화・재설정할 수 있습니다(거주하시는 시구정촌이 대응하는 경우).
reset-here = 이 창구에서 비밀번호를 초기화할 수 있습니다. 직원에게 말씀해 주십시오.
done-verdict-later = 전자증명서 확인 결과(Code 21/23 등)는 나중에 담당자에게 전달됩니다. 절차에 문제가 있으면 담당자가 연락드립니다.
diag-running = 동작 중
diag-not-running = 정지
diag-reader = 리더기
diag-title-full = 리더기 진단
diag-no-reader = 리더기가 연결되어 있지 않습니다
diag-card = 카드
diag-kind = 종류
diag-atr-decoded = ATR 해석
# How the card talks to the reader, as the ATR says (`contact`, `contactless`, `unknown`).
diag-interface =
    { $interface ->
        [contact] 접촉식
        [contactless] 비접촉식
       *[unknown] 알 수 없음
    }
diag-historical = 히스토리컬
diag-known-atr = 마이넘버 카드의 알려진 ATR
diag-protocol = 프로토콜
diag-extended = 확장 APDU
diag-extended-short = 확장 APDU
diag-extended-measured = 확장 APDU(실측)
diag-yes = 지원
diag-no = 미지원
diag-yes-measured = 지원(실측)
diag-no-measured = 미지원(실측)
diag-last-apdu = 마지막 APDU 응답
diag-last-apdu-long = 마지막 APDU 응답
diag-rtt = 응답
diag-vendor = 제조사
diag-model = 모델
diag-firmware = 펌웨어
diag-vendor-model-firmware = 제조사 / 모델 / FW
diag-removals = 카드 분리 횟수
diag-removals-short = 분리
diag-removals-session = 이 세션의 카드 분리
diag-last-error = 마지막 오류
# `madoguchi diagnose`: the station's own configuration; `madoguchi outbox list`'s columns.
diag-config-file = 설정 파일
diag-seal-kid = 봉인용 공개 키 (kid)
diag-config-invalid = 설정 문제: { $path } { $line }번째 줄({ $message }). 수정할 때까지 창구 단말은 시작되지 않습니다.
diag-config-unreadable = 설정 문제: { $path }을(를) 읽을 수 없습니다({ $error }).
diag-config-file-problem = 설정 문제: { $key }의 파일을 사용할 수 없습니다({ $error }).
outbox-col-id = ID
outbox-col-status = 상태
outbox-col-attempts = 횟수
outbox-col-age = 경과
outbox-col-next = 다음 전송
outbox-col-assurance = 보증 수준
outbox-col-kid = 키 (kid)
outbox-col-last-error = 마지막 오류
card-absent = 없음
card-present = 있음
card-mute = 응답 없음(다시 올려 주십시오)
card-busy = 다른 프로그램이 사용 중
kind-my-number-card = 마이넘버 카드
kind-juki-card = 주기넷 카드(住基カード)
kind-not-jpki = JPKI가 없는 카드
readers-no-card = 카드 없음
readers-card-mute = 카드 응답 없음
readers-card-busy = 카드 있음(다른 프로그램이 사용 중)
readers-card-present = 카드 있음
cli-last-try-hint = 계속하려면 --last-try 를 붙여 다시 실행해 주십시오.
cli-no-pin = 비밀번호가 입력되지 않았습니다. 카드에는 아무것도 보내지 않았습니다.

# Reader health and the status command.
placement-suspect = 카드가 움직였거나 잘못 놓인 것 같습니다. 케이스에서 꺼내 리더 중앙에 놓아 주십시오.
health-title = APDU 왕복 시간(최근 { $n }건, 최대 { $max } ms)
health-counts = 분리 { $removals } · 재전송 { $resends } · 통신 오류 { $errors }
status-no-station = 실행 중인 창구 단말을 찾을 수 없습니다({ $path }: { $error }). 같은 사용자로 단말이 실행 중인지 확인해 주십시오.
status-too-many = 이 창구 단말기는 이미 { $max }개의 지원 연결에 응답하고 있습니다. 하나가 끝난 뒤 다시 시도하십시오.
status-station-gone = 지켜보던 창구 단말기가 종료되었습니다({ $path }).
status-label-station = 단말
status-label-uptime = 가동 시간
status-label-step = 단계
status-label-reader = 리더
status-label-pcscd = pcscd
status-label-queue = 미전송
status-label-delivery = 마지막 전송
status-label-apdu = APDU 왕복 시간
status-label-errors = 오류
# Keys: the help line's words and the panes' key lines (the keys themselves are in src/ui/keys.rs).
key-agree = 동의하고 다음으로
key-verify = 확인
key-next-citizen = 다음 분
key-yes = 예
key-no = 아니요
key-citizen-lang = 표시 언어
key-representative = 법정대리인(직원)
key-pick = 대리인 선택
key-skip = 건너뛰기
key-decline = 동의하지 않음
key-dont-wait = 기다리지 않고 완료
key-quit-now = 종료
key-continue = 계속
key-close = 닫기
key-demo-card = 카드 넣기/빼기
pin-full = 더 이상 입력할 수 없습니다({ $pin }은 최대 { $max }자리입니다).
email-character = 이 문자는 사용할 수 없습니다. 반각 영숫자와 기호로 입력해 주십시오.
email-legacy = 점이 연속되거나 「@」 바로 앞에 점이 있는 주소입니다(2009년 이전 docomo·au 주소). 사용할 수 있지만 보내는 곳에 따라 도착하지 않을 수 있습니다.
contact-optional = 메일 주소 입력은 선택 사항입니다. 입력하지 않아도 계속할 수 있습니다.
notice-declined = 동의하지 않으셔서 접수를 종료했습니다. 아무것도 기록하지 않았습니다.
quit-question = 창구 단말기를 종료하시겠습니까? 입력 중인 내용은 삭제됩니다.
quit-saving = 기록을 저장하고 있습니다… 저장이 끝나면 종료합니다.
no-certificate-note-minors = 이 카드에는 서명용 전자증명서(署名用電子証明書)가 없습니다. 15세 미만은 서명 대신 이용자증명용 전자증명서(利用者証明用電子証明書)의 비밀번호(숫자 4자리)로 카드를 확인하고 접수합니다. 15세 이상은 먼저 시구정촌(市区町村) 창구에서 서명용 전자증명서를 발급받아 주십시오.
no-certificate-note-unsigned = 이 카드에는 서명용 전자증명서(署名用電子証明書)가 없으므로, 서명 대신 이용자증명용 전자증명서(利用者証明用電子証明書)의 비밀번호(숫자 4자리)로 카드를 확인하고 접수합니다.
finding-expired = 이 카드의 전자증명서는 유효기간이 지났습니다(Code 21). 시구정촌(市区町村) 창구에서 전자증명서를 갱신한 후 다시 신청해 주십시오. 아직 비밀번호를 입력하지 않았으므로 입력 횟수는 줄지 않았습니다.
health-title-short = APDU 왕복 시간
diag-not-used = 사용 안 함(데모 카드)
status-socket-failed = 지원용 상태 소켓 { $path } 을(를) 열 수 없습니다({ $reason }). `madoguchi status` 로 이 단말기에 접속할 수 없습니다.
status-socket-reason =
    { $reason ->
        [in_use] 다른 단말기가 이 소켓에서 응답하고 있습니다
        [not_private] 소켓의 디렉터리가 이 사용자 전용이 아닙니다
        [permission] 권한이 없습니다
        [read_only] 읽기 전용 파일 시스템입니다
        [no_space] 디스크 공간이 없습니다
        [not_found] 디렉터리가 없습니다
       *[other] 예기치 않은 오류입니다. 자세한 내용은 로그를 확인하십시오
    }
status-socket-short = 상태 조회 ✕
status-pcscd-state =
    { $state ->
        [running] 동작 중
        [stopped] 중지
        [not_used] 사용 안 함(데모)
       *[unknown] 알 수 없음
    }
status-uptime = { $secs }초
status-busy = 처리 중
status-queue = { $pending }건(확인 필요 { $review }건)
status-crl =
    { $hours }시간 전{ $fresh ->
        [yes] {""}
       *[no] (오래되어 사용 안 함)
    }
status-apdu = { $n }건, 중앙값 { $median } µs, 최대 { $max } µs
status-errors = { $n }건(카드 분리 { $removals }회, 통신 오류 { $transmit }회)
status-label-crl = CRL
# `madoguchi status` values, by code.
status-code =
    { $code ->
        [no_service] pcscd 미실행
        [no_reader] 리더기 없음
        [unknown_reader] 지정한 리더기 없음
        [no_card] 카드 없음
        [card_removed] 카드가 떨어짐
        [card_reset] 카드 리셋됨
        [card_unresponsive] 카드 응답 없음
        [reader_busy] 리더기 사용 중(다른 프로그램)
        [timeout] 시간 초과
        [extended_unsupported] 확장 APDU 미지원
        [refused] 안전을 위해 거부
        [communication] 통신 오류
        [not_my_number_card] 마이넘버카드가 아님
        [wrong_pin] 비밀번호 오류
        [pin_locked] 비밀번호 잠김
        [security_status] 비밀번호 미확인
        [file_not_found] 파일 없음
        [no_signing_certificate] 서명용 전자증명서 없음
        [malformed_answer] 카드 응답이 올바르지 않음
        [card_status] 카드 오류 응답
        [outbox_full] 미전송 기록 한도 도달
        [outbox_storage] 기록 저장 실패
        [outbox_seal] 기록 암호화 실패
        [outbox_encode] 기록 생성 실패
        [pcscd_down] pcscd 중지됨
        [reader_removed] 리더기 분리됨
        [card_mute] 카드 응답 없음
        [delivery_failed] 전송 실패, 재전송 대기
        [accepted] 수리됨
        [queued] 전송 대기
        [certificate_expired] 유효기간 만료(Code 21)
        [certificate_revoked] 실효(Code 23)
        [signature_mismatch] 서명 불일치
        [unsupported_certificate] 받을 수 없는 증명서
        [card_data_mismatch] 카드와 증명서 불일치(확인 필요)
        [invalid_request] 잘못된 기록
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
       *[other] { $year }-{ NUMBER($month, minimumIntegerDigits: 2) }-{ NUMBER($day, minimumIntegerDigits: 2) } ({ era-name } { $era_year ->
            [1] 원
           *[other] { $era_year }
        }년)
    }
# The 利用者証明 challenge: its step, PIN screen, stops and verdicts; how a record proves the card.
step-prove = 이용자 증명
auth-pin-why = 카드가 진짜인지 확인하기 위해, 서명 대신 카드의 이용자증명용 전자증명서(利用者証明用電子証明書)로 확인합니다.
auth-pin-other = 앞에서 입력한 비밀번호와는 다른 비밀번호입니다(같은 숫자로 설정한 분도 있습니다). 15세 미만은 카드 수령 시 법정대리인이 설정한 비밀번호입니다.
proving = 이용자증명용 전자증명서로 카드를 확인하고 있습니다. 카드를 움직이지 마십시오.
no-auth-certificate = 이 카드에는 이용자증명용 전자증명서(利用者証明用電子証明書)가 없습니다(카드 신청 시 발급하지 않은 경우 등). 거주하시는 시구정촌(市区町村) 창구에서 발급받을 수 있습니다.
verdict-auth-expired = Code 21: 이용자증명용 전자증명서(利用者証明用電子証明書)의 유효기간이 지났습니다. 시구정촌(市区町村) 창구에서 전자증명서를 갱신한 후 다시 신청해 주십시오.
verdict-auth-revoked = Code 23: 이용자증명용 전자증명서(利用者証明用電子証明書)가 실효되었습니다. 시구정촌(市区町村) 창구에서 전자증명서를 갱신한 후 다시 신청해 주십시오.
verdict-assurance = 수신 측에서 이 기록이 카드로 증명되었음(서명 또는 이용자 증명)을 확인하지 못했습니다. 카드를 놓고 처음부터 다시 해 주십시오. 반복되면 관리자에게 연락해 주십시오.
verdict-record-time = 수신 측이 기록의 일시를 받아들이지 않았습니다. 이 단말기의 시계가 크게 어긋났거나 기록이 너무 오래되었습니다. 단말기의 시계를 확인하고 관리자에게 연락해 주십시오.
done-unauthenticated = 카드의 전자증명서로 확인하지 않고 기본 4정보만으로 접수했습니다.
done-level = 카드 확인 방법(직원용): { $level }({ $code })
level-signed = 서명용 전자증명서로 서명
level-card-authenticated = 이용자증명용 전자증명서로 확인
level-unauthenticated = 카드 확인 없음
unauthenticated-allowed = 미확인 기록 허용
