title = Madoguchi - Tiếp nhận bằng thẻ My Number
step-consent = Đồng ý
step-card = Thẻ
step-pin = Mã PIN
step-reading = Đọc thẻ
step-confirm = Xác nhận
step-contact = Liên lạc
step-sign = Ký
step-send = Gửi
step-done = Xong
consent-heading = Điều khoản sử dụng
consent-scroll-hint = Vui lòng đọc đến cuối; sau đó bạn có thể đồng ý.
place-card = Vui lòng đặt thẻ My Number (マイナンバーカード) lên đầu đọc.
keep-card-still = Không di chuyển thẻ cho đến khi đọc xong.
notice-card-removed = Thẻ đã rời khỏi đầu đọc. Vui lòng đặt lại thẻ lên đầu đọc.
notice-timed-out = Vì không có thao tác trong một thời gian, mọi nội dung đã nhập đã bị xóa và quay về màn hình đầu.
notice-cancelled = Mọi nội dung đã nhập đã bị xóa và quay về màn hình đầu.
notice-queue-full = Số hồ sơ chưa gửi đã đạt giới hạn: không thể bắt đầu tiếp nhận mới. Vui lòng kiểm tra mạng và chờ gửi xong.
pin-rule-text = 4 chữ số. Được nhập 3 lần; sai hết thì mã bị khóa.
pin-rule-sign = Từ 6 đến 16 ký tự, gồm cả chữ cái (in hoa) và chữ số, mỗi loại ít nhất một. Chữ thường được coi là chữ in hoa. Được nhập 5 lần; sai cả 5 lần thì mật khẩu bị khóa.
checking-tries = Đang kiểm tra số lần nhập còn lại...
char-not-allowed = Không thể nhập ký tự này.
pin-wait-for-tries = Chưa kiểm tra: đang đọc số lần nhập còn lại. Các ký tự đã nhập vẫn được giữ; khi số lần hiện ra, hãy nhấn { $keys } lại.
confirm-last-try = Đây là lần cuối: sai sẽ bị khóa. Kiểm tra mã này?
reading = Đang đọc thẻ. Không di chuyển thẻ.
confirm-heading = Vui lòng kiểm tra nội dung đọc được từ thẻ.
confirm-note = Nếu có gì sai, đọc lại cũng không thay đổi: hãy chọn "Dừng" (không ghi lại gì) và đề nghị quầy của thành phố/quận/thị trấn/làng (市区町村の窓口) cập nhật thẻ.
label-name = Họ tên
label-former-name = Họ cũ (旧氏)
label-gender = Giới tính
label-birth = Ngày sinh
# The Japanese era of the birth date on the confirm screen (和暦), by $era.
era-name =
    { $era ->
        [meiji] Meiji
        [taisho] Taisho
        [showa] Showa
        [heisei] Heisei
       *[reiwa] Reiwa
    }
label-address = Địa chỉ
male = nam
female = nữ
other-gender = khác / không rõ
button-reread = Đọc lại
button-next = Tiếp
contact-heading = Vui lòng nhập địa chỉ e-mail liên lạc.
contact-note = Vui lòng kiểm tra lại một lần nữa xem địa chỉ có đúng không trước khi tiếp tục.
email-empty = Vui lòng nhập địa chỉ e-mail.
email-at = Địa chỉ cần có đúng một dấu "@".
email-local = Phần trước "@" không hợp lệ.
email-domain = Phần sau "@" (tên miền) không hợp lệ.
email-too-long = Địa chỉ quá dài.
signing = Đang ký điện tử bằng thẻ. Không di chuyển thẻ.
storing = Đang lưu hồ sơ...
sending = Đang gửi...
done-heading = Đã tiếp nhận xong.
done-queued = Hồ sơ đã được lưu và sẽ tự động gửi khi có mạng.
done-unsigned = Thẻ này không có chứng thư chữ ký: thẻ đã được kiểm tra bằng chứng thư người dùng và bốn thông tin cơ bản đã được tiếp nhận.
stopped-heading = Không thể tiếp tục
store-failed = Không lưu được hồ sơ. Việc tiếp nhận chưa hoàn tất. Vui lòng thử lại.
different-card = Một thẻ khác với thẻ đã kiểm tra đã được đặt lên. Vui lòng làm lại từ đầu.
verdict-expired = Code 21: chứng thư điện tử dùng để ký (署名用電子証明書) đã hết hạn. Vui lòng gia hạn tại quầy của thành phố/quận/thị trấn/làng (市区町村の窓口) rồi làm lại thủ tục.
verdict-revoked = Code 23: chứng thư điện tử dùng để ký (署名用電子証明書) đã bị thu hồi. Vui lòng gia hạn tại quầy của thành phố/quận/thị trấn/làng (市区町村の窓口) rồi làm lại thủ tục.
verdict-signature = Không xác minh được chữ ký. Vui lòng làm lại từ đầu.
verdict-unsupported = Chứng thư này không được chấp nhận.
verdict-data-mismatch = Thông tin trên thẻ và trên chứng thư không khớp. Sau khi đổi địa chỉ hoặc họ tên, phải gia hạn chứng thư tại quầy của thành phố/quận/thị trấn/làng (市区町村の窓口).
verdict-invalid = Máy chủ đã từ chối hồ sơ. Vui lòng liên hệ quản trị viên.
verdict-review = Hồ sơ được giữ trên máy này để quản trị viên kiểm tra.
reveal = hiện
hide = ẩn
key-enter = xác nhận
key-esc = làm lại
key-scroll = cuộn
key-choose = chọn
key-diag = chẩn đoán
key-reader = đầu đọc
key-lang = Ngôn ngữ
key-quit = thoát
queue = chưa gửi
unsealed = KHÔNG mã hóa
too-small = Cửa sổ quá nhỏ (cần 80x24)
store-failed-full = Số hồ sơ chưa gửi đã đạt giới hạn nên không lưu được hồ sơ. Việc tiếp nhận chưa hoàn tất. Vui lòng thử lại khi hồ sơ đã được gửi.
store-failed-disk = Không lưu được hồ sơ trên máy này. Việc tiếp nhận chưa hoàn tất. Quản trị viên cần kiểm tra dung lượng đĩa và quyền truy cập.
store-failed-seal = Không mã hóa được hồ sơ. Việc tiếp nhận chưa hoàn tất. Quản trị viên cần kiểm tra cài đặt khóa công khai của máy chủ.
signature-invalid = Máy này không xác minh được chữ ký của thẻ. Chưa lưu gì. Vui lòng đặt lại thẻ và làm lại từ đầu.
no-certificate-adult = Thẻ này không có chứng thư điện tử dùng để ký (署名用電子証明書) (không đăng ký khi cấp thẻ, hoặc là thẻ My Number xác thực khuôn mặt). Quầy của thành phố/quận/thị trấn/làng (市区町村の窓口) cấp chứng thư chữ ký.
done-review = Một số mục trên thẻ khác với chứng thư chữ ký:
done-review-why = Điều này xảy ra khi chứng thư chưa được gia hạn sau khi đổi địa chỉ hoặc họ tên; quầy của thành phố/quận/thị trấn/làng (市区町村の窓口) gia hạn chứng thư. Hồ sơ đã được lưu và nhân viên sẽ kiểm tra.
button-stop = Dừng
hotline =
    Đường dây miễn phí tổng hợp My Number (マイナンバー総合フリーダイヤル) 0120-95-0178
    (ngày thường 9:30-20:00, cuối tuần và ngày lễ 9:30-17:30)
receipt-number = Số tiếp nhận
receipt-keep = Vui lòng ghi lại số tiếp nhận hoặc chụp ảnh mã QR.
review = cần kiểm tra
privacy-heading = Xử lý thông tin cá nhân
representative-heading = Người đại diện theo pháp luật (nhân viên thao tác bước này)
representative-note = Với người dưới 15 tuổi hoặc người được giám hộ, người đại diện theo pháp luật (法定代理人) làm thủ tục. Vui lòng kiểm tra người có mặt và chọn bằng phím chức năng.
representative-parent = cha mẹ (親権者)
representative-guardian = người giám hộ (後見人)
representative-other = người đại diện khác (giấy ủy quyền)
representative-choose = Vui lòng chọn người đại diện rồi xác nhận. Không thể tiếp tục nếu chưa chọn.
email-again = Vui lòng nhập lại cùng địa chỉ e-mail một lần nữa để xác nhận.
email-mismatch = Hai lần nhập không giống nhau. Vui lòng nhập lại địa chỉ từ đầu.
card-tip-case = - Vui lòng lấy thẻ ra khỏi vỏ.
card-tip-metal = - Không đặt trên bàn kim loại hoặc gần kim loại.
card-tip-still = - Giữ yên khoảng 5 giây cho đến khi đọc xong.
konbini-reset = 署名用電子証明書のパスワード (mật khẩu chứng thư chữ ký) cũng có thể được đặt lại tại máy ở cửa hàng tiện lợi nếu địa phương của bạn hỗ trợ, ngoài quầy của thành phố/quận/thị trấn/làng.
reset-here = Có thể đặt lại mã PIN tại quầy này: vui lòng hỏi nhân viên.
done-verdict-later = Kết quả kiểm tra chứng thư (Code 21/23, v.v.) sẽ đến nhân viên sau; nếu có vấn đề, nhân viên sẽ liên lạc với bạn.
diag-running = đang chạy
diag-not-running = đã dừng
diag-reader = Đầu đọc
diag-title-full = Chẩn đoán đầu đọc
diag-no-reader = Chưa kết nối đầu đọc
diag-card = Thẻ
diag-kind = Loại
diag-atr-decoded = Giải mã ATR
# How the card talks to the reader, as the ATR says (`contact`, `contactless`, `unknown`).
diag-interface =
    { $interface ->
        [contact] tiếp xúc
        [contactless] không tiếp xúc
       *[unknown] không rõ
    }
diag-historical = lịch sử
diag-known-atr = ATR đã biết của thẻ My Number
diag-protocol = Giao thức
diag-extended = APDU mở rộng
diag-extended-short = APDU mở rộng
diag-extended-measured = APDU mở rộng (đo thực tế)
diag-yes = có
diag-no = không
diag-yes-measured = có (đo thực tế)
diag-no-measured = không (đo thực tế)
diag-last-apdu = APDU cuối
diag-last-apdu-long = Thời gian phản hồi APDU cuối
diag-rtt = RTT
diag-vendor = Nhà sản xuất
diag-model = Kiểu máy
diag-firmware = Phần sụn
diag-vendor-model-firmware = Nhà sản xuất / kiểu máy / phần sụn
diag-removals = Số lần rút thẻ
diag-removals-short = Rút thẻ
diag-removals-session = Số lần rút thẻ trong phiên này
diag-last-error = Lỗi cuối
# `madoguchi diagnose`: the station's own configuration; `madoguchi outbox list`'s columns.
diag-config-file = tệp cấu hình
diag-seal-kid = khóa niêm phong (kid)
diag-config-invalid = lỗi cấu hình: { $path } dòng { $line } ({ $message }). Trạm sẽ không khởi động cho đến khi được sửa.
diag-config-unreadable = lỗi cấu hình: không đọc được { $path } ({ $error }).
diag-config-file-problem = lỗi cấu hình: không dùng được tệp của { $key } ({ $error }).
outbox-col-id = ID
outbox-col-status = trạng thái
outbox-col-attempts = số lần gửi
outbox-col-age = thời gian
outbox-col-next = lần gửi tới
outbox-col-assurance = mức bảo đảm
outbox-col-kid = khóa (kid)
outbox-col-last-error = lỗi cuối
card-absent = không có
card-present = có
card-mute = không phản hồi (hãy đặt lại)
card-busy = chương trình khác đang dùng
kind-my-number-card = Thẻ My Number
kind-juki-card = Thẻ Juki
kind-not-jpki = thẻ không có JPKI
readers-no-card = không có thẻ
readers-card-mute = thẻ không phản hồi
readers-card-busy = có thẻ (chương trình khác đang dùng)
readers-card-present = có thẻ
cli-last-try-hint = Để tiếp tục, vui lòng chạy lại với --last-try.
cli-no-pin = Chưa nhập mã PIN. Chưa gửi gì đến thẻ.

# Reader health and the status command.
placement-suspect = Thẻ bị dịch chuyển hoặc đặt chưa đúng? Vui lòng lấy thẻ ra khỏi vỏ và đặt vào giữa đầu đọc.
health-title = Thời gian khứ hồi APDU ({ $n } lần gần nhất, tối đa { $max } ms)
health-counts = rút thẻ { $removals } · gửi lại { $resends } · lỗi truyền { $errors }
status-no-station = Không có trạm nào đang chạy trả lời ({ $path }: { $error }). Trạm có đang chạy dưới người dùng này không?
status-too-many = Trạm đang phục vụ { $max } kết nối hỗ trợ; hãy thử lại khi một kết nối kết thúc.
status-station-gone = Trạm đang theo dõi đã dừng ({ $path }).
status-label-station = trạm
status-label-uptime = thời gian chạy
status-label-step = bước
status-label-reader = đầu đọc
status-label-pcscd = pcscd
status-label-queue = chưa gửi
status-label-delivery = lần gửi cuối
status-label-apdu = khứ hồi APDU
status-label-errors = lỗi
# Keys: the help line's words and the panes' key lines (the keys themselves are in src/ui/keys.rs).
key-agree = đồng ý và tiếp tục
key-verify = kiểm tra
key-next-citizen = người tiếp theo
key-yes = có
key-no = không
key-citizen-lang = ngôn ngữ
key-representative = người đại diện (nhân viên)
key-pick = chọn
key-skip = bỏ qua
key-decline = không đồng ý
key-dont-wait = không chờ
key-quit-now = thoát
key-continue = tiếp tục
key-close = đóng
key-demo-card = thẻ vào/ra
pin-full = Không thể nhập thêm: { $pin } tối đa { $max } ký tự.
email-character = Không dùng được ký tự này: hãy nhập chữ, số và ký hiệu của địa chỉ.
email-legacy = Địa chỉ này có các dấu chấm liền nhau hoặc dấu chấm ngay trước "@" (địa chỉ docomo, au trước năm 2009). Vẫn dùng được nhưng một số nơi gửi có thể không gửi tới được.
contact-optional = Địa chỉ e-mail là tùy chọn: có thể tiếp tục mà không cần nhập.
notice-declined = Không đồng ý: thủ tục đã kết thúc và không ghi lại gì.
quit-question = Thoát trạm? Mọi nội dung đang nhập sẽ bị xóa.
quit-saving = Đang lưu bản ghi… trạm sẽ thoát khi đã lưu xong.
no-certificate-note-minors = Thẻ này không có chứng thư ký (署名用電子証明書). Người dưới 15 tuổi được tiếp nhận không cần ký: thẻ được kiểm tra bằng mã PIN của chứng thư người dùng (利用者証明用電子証明書, 4 chữ số). Người từ 15 tuổi cần xin cấp chứng thư ký tại quầy (市区町村の窓口) trước.
no-certificate-note-unsigned = Thẻ này không có chứng thư ký (署名用電子証明書): thay cho chữ ký, thẻ được kiểm tra bằng mã PIN của chứng thư người dùng (利用者証明用電子証明書, 4 chữ số).
finding-expired = Chứng thư điện tử trên thẻ này đã hết hạn (Code 21). Vui lòng gia hạn tại quầy (市区町村の窓口) rồi làm lại thủ tục. Chưa nhập mã PIN nên số lần nhập không bị giảm.
health-title-short = Thời gian APDU
diag-not-used = không dùng (thẻ demo)
status-socket-failed = Không mở được socket trạng thái cho hỗ trợ { $path } ({ $reason }): `madoguchi status` không kết nối được với trạm này.
status-socket-reason =
    { $reason ->
        [in_use] một trạm khác đang trả lời trên socket này
        [not_private] thư mục của nó không thuộc riêng người dùng này
        [permission] không có quyền
        [read_only] hệ thống tệp chỉ đọc
        [no_space] đĩa hết dung lượng
        [not_found] thư mục không tồn tại
       *[other] lỗi không mong đợi; xem chi tiết trong nhật ký
    }
status-socket-short = trạng thái ✕
status-pcscd-state =
    { $state ->
        [running] đang chạy
        [stopped] đã dừng
        [not_used] không dùng (demo)
       *[unknown] không rõ
    }
status-uptime = { $secs } giây
status-busy = đang xử lý
status-queue = { $pending } (cần kiểm tra { $review })
status-crl =
    { $hours } giờ trước{ $fresh ->
        [yes] {""}
       *[no] {" "}(cũ: không dùng)
    }
status-apdu = { $n } APDU, trung vị { $median } µs, tối đa { $max } µs
status-errors = { $n } (rút thẻ { $removals }, lỗi liên lạc { $transmit })
status-label-crl = CRL
# `madoguchi status` values, by code.
status-code =
    { $code ->
        [no_service] pcscd không chạy
        [no_reader] không có đầu đọc
        [unknown_reader] không tìm thấy đầu đọc
        [no_card] không có thẻ
        [card_removed] thẻ đã rời đầu đọc
        [card_reset] thẻ bị đặt lại
        [card_unresponsive] thẻ không phản hồi
        [reader_busy] đầu đọc đang bận (chương trình khác)
        [timeout] hết thời gian
        [extended_unsupported] không hỗ trợ APDU mở rộng
        [refused] từ chối vì an toàn
        [communication] lỗi liên lạc
        [not_my_number_card] không phải thẻ My Number
        [wrong_pin] sai mã PIN
        [pin_locked] mã PIN bị khóa
        [security_status] chưa xác minh mã PIN
        [file_not_found] không có tệp
        [no_signing_certificate] không có chứng thư ký
        [malformed_answer] phản hồi của thẻ không hợp lệ
        [card_status] thẻ báo lỗi
        [outbox_full] hàng đợi bản ghi đã đầy
        [outbox_storage] không lưu được bản ghi
        [outbox_seal] không mã hóa được bản ghi
        [outbox_encode] không tạo được bản ghi
        [pcscd_down] pcscd đã dừng
        [reader_removed] đầu đọc bị rút
        [card_mute] thẻ không phản hồi
        [delivery_failed] chưa gửi được, sẽ thử lại
        [accepted] đã chấp nhận
        [queued] đang chờ gửi
        [certificate_expired] hết hạn (Code 21)
        [certificate_revoked] bị thu hồi (Code 23)
        [signature_mismatch] chữ ký không khớp
        [unsupported_certificate] chứng thư không được chấp nhận
        [card_data_mismatch] thẻ và chứng thư khác nhau (cần kiểm tra)
        [invalid_request] bản ghi không hợp lệ
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
step-prove = Xác thực
auth-pin-why = Để xác nhận thẻ là thật, thẻ được kiểm tra bằng chứng thư người dùng (利用者証明用電子証明書) thay cho chữ ký.
auth-pin-other = Đây là một mã PIN khác với mã vừa nhập (có người đặt cùng các chữ số). Với người dưới 15 tuổi, đây là mã PIN do người đại diện hợp pháp đặt khi nhận thẻ.
proving = Đang kiểm tra thẻ bằng chứng thư người dùng. Không di chuyển thẻ.
no-auth-certificate = Thẻ này không có chứng thư người dùng (利用者証明用電子証明書), ví dụ khi không đăng ký cấp cùng thẻ. Quầy (市区町村の窓口) nơi chủ thẻ sinh sống cấp chứng thư này.
verdict-auth-expired = Code 21: chứng thư người dùng (利用者証明用電子証明書) đã hết hạn. Vui lòng gia hạn tại quầy của thành phố/quận/thị trấn/làng (市区町村の窓口) rồi làm lại thủ tục.
verdict-auth-revoked = Code 23: chứng thư người dùng (利用者証明用電子証明書) đã bị thu hồi. Vui lòng gia hạn tại quầy của thành phố/quận/thị trấn/làng (市区町村の窓口) rồi làm lại thủ tục.
verdict-assurance = Máy chủ không xác nhận được rằng thẻ đã chứng minh hồ sơ này (chữ ký hoặc chứng thư người dùng). Hãy đặt thẻ và làm lại từ đầu; nếu lặp lại, hãy liên hệ quản trị viên.
verdict-record-time = Máy chủ từ chối ngày giờ của hồ sơ: đồng hồ của máy này lệch nhiều hoặc hồ sơ quá cũ. Hãy kiểm tra đồng hồ của máy và liên hệ quản trị viên.
done-unauthenticated = Đã tiếp nhận chỉ với bốn thông tin cơ bản, không kiểm tra chứng thư của thẻ.
done-level = Cách xác minh thẻ (nhân viên): { $level } ({ $code })
level-signed = đã ký bằng chứng thư chữ ký
level-card-authenticated = đã kiểm tra bằng chứng thư người dùng
level-unauthenticated = thẻ CHƯA được kiểm tra
unauthenticated-allowed = CHO PHÉP hồ sơ không kiểm tra
