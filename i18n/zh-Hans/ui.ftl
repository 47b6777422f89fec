title = 窓口 个人编号卡（My Number Card）受理
step-consent = 同意
step-card = 卡片
step-pin = 密码
step-reading = 读取
step-confirm = 确认
step-contact = 联系方式
step-sign = 签名
step-send = 发送
step-done = 完成
consent-heading = 使用条款
consent-scroll-hint = 请阅读到最后。读完后即可同意。
place-card = 请将个人编号卡放在读卡器上。
keep-card-still = 读取完成前，请不要移动卡片。
notice-card-removed = 卡片已离开读卡器。请重新放在读卡器上。
notice-timed-out = 由于一段时间没有操作，已清除输入内容并返回开始画面。
notice-cancelled = 已清除输入内容并返回开始画面。
notice-queue-full = 未发送的记录已达上限，无法开始新的受理。请检查网络，并等待发送完成。
pin-rule-text = 4位数字。最多可输入3次，输错3次将被锁定。
pin-rule-sign = 6～16位，须同时包含英文字母（大写）和数字。小写字母按大写处理。最多可输入5次，输错5次将被锁定。
checking-tries = 正在确认剩余输入次数…
char-not-allowed = 不能输入此字符。
pin-wait-for-tries = 尚未验证（正在读取剩余输入次数）。已输入的字符会保留。显示剩余次数后，请再按一次 { $keys }。
confirm-last-try = 这是最后1次，输错将被锁定。确定用它验证吗？
reading = 正在读取卡片。请不要移动卡片。
confirm-heading = 请确认从卡片读取的内容。
confirm-note = 如内容与实际不符，重新读取也不会改变，请选择“中止”（不做任何记录），并到市区町村窗口办理记载内容的变更。
label-name = 姓名
label-former-name = 旧姓
label-gender = 性别
label-birth = 出生日期
# The Japanese era of the birth date on the confirm screen (和暦), by $era.
era-name =
    { $era ->
        [meiji] 明治
        [taisho] 大正
        [showa] 昭和
        [heisei] 平成
       *[reiwa] 令和
    }
label-address = 住址
male = 男
female = 女
other-gender = 其他・不明
button-reread = 重新读取
button-next = 下一步
contact-heading = 请输入联系用的电子邮件地址。
contact-note = 请再次确认输入的电子邮件地址是否正确。请用半角英文数字输入。
email-empty = 请输入电子邮件地址。
email-at = 请输入只含1个“@”的电子邮件地址。
email-local = “@”前面的部分有误。
email-domain = “@”后面的部分（域名）有误。
email-too-long = 电子邮件地址太长。
signing = 正在进行电子签名。请不要移动卡片。
storing = 正在保存记录…
sending = 正在发送…
done-heading = 受理已完成。
done-queued = 记录已保存。网络可用时将自动发送。
done-unsigned = 此卡没有签名用电子证明书，因此改用用户证明用电子证明书确认卡片后，以基本4项信息受理。
stopped-heading = 无法继续受理
store-failed = 无法保存记录。受理尚未完成。请重试。
different-card = 放上了与已确认的卡片不同的卡片。请从头开始。
verdict-expired = Code 21：签名用电子证明书（署名用電子証明書）已过有效期。请在市区町村窗口更新电子证明书后，再来办理。
verdict-revoked = Code 23：签名用电子证明书（署名用電子証明書）已失效。请在市区町村窗口更新电子证明书后，再来办理。
verdict-signature = 无法验证电子签名。请从头开始。
verdict-unsupported = 不能受理此电子证明书。
verdict-data-mismatch = 卡片信息与电子证明书信息不一致。变更住址或姓名后，须在市区町村窗口更新电子证明书。
verdict-invalid = 发送的记录有问题。请联系管理员。
verdict-review = 此记录保存在本终端，由管理员确认。
reveal = 显示
hide = 隐藏
key-enter = 确定
key-esc = 从头开始
key-scroll = 滚动
key-choose = 选择
key-diag = 诊断
key-reader = 切换读卡器
key-lang = 语言
key-quit = 退出
queue = 未发送
unsealed = 未加密
too-small = 终端太小（至少需要80x24）
store-failed-full = 未发送的记录已达上限，无法保存记录。受理尚未完成。请在发送有进展后重试。
store-failed-disk = 无法在本终端保存记录。受理尚未完成。请管理员检查磁盘空间和权限。
store-failed-seal = 无法加密记录。受理尚未完成。请管理员检查发送目标公钥的设置。
signature-invalid = 本终端无法验证卡片的电子签名。记录未保存。请重新放置卡片，从头开始。
no-certificate-adult = 此卡没有签名用电子证明书（署名用電子証明書）（例如申请卡片时未选择发行，或为刷脸认证个人编号卡）。签名用电子证明书可在您所居住的市区町村窗口申请发行。
done-review = 卡片内容与签名用电子证明书内容有不一致的项目：
done-review-why = 变更住址或姓名后未更新电子证明书时会出现这种情况。电子证明书的更新在市区町村窗口办理。记录已保存，将由工作人员确认。
button-stop = 中止
hotline =
    个人编号综合免费电话（マイナンバー総合フリーダイヤル）0120-95-0178
    （工作日 9:30～20:00，周末及节假日 9:30～17:30）
receipt-number = 受理编号
receipt-keep = 请记下受理编号，或拍摄二维码。
review = 需确认
privacy-heading = 个人信息的处理
representative-heading = 法定代理人的确认（由工作人员操作）
representative-note = 未满15岁者或成年被监护人的手续由法定代理人办理。请确认来办理的人，并用功能键选择。
representative-parent = 亲权人（親権者）
representative-guardian = 监护人（後見人）
representative-other = 其他代理人（委托书）
representative-choose = 请选择代理人后确定。未选择则无法继续。
email-again = 为确认起见，请再次输入相同的电子邮件地址。
email-mismatch = 两次输入的电子邮件地址不一致。请从头重新输入。
card-tip-case = ・请将卡片从卡套中取出。
card-tip-metal = ・请不要放在金属桌上或金属附近。
card-tip-still = ・读取完成前，请保持约5秒不要移动。
konbini-reset = 署名用電子証明書のパスワード（签名用电子证明书密码）除在市区町村窗口外，也可在便利店等处初始化・重新设定（限您所居住的市区町村支持时）。
reset-here = 本窗口可以初始化密码。请告知工作人员。
done-verdict-later = 电子证明书的确认结果（Code 21/23 等）稍后会送达负责人。如手续有问题，负责人会与您联系。
diag-running = 运行中
diag-not-running = 已停止
diag-reader = 读卡器
diag-title-full = 读卡器诊断
diag-no-reader = 未连接读卡器
diag-card = 卡片
diag-kind = 种类
diag-atr-decoded = ATR解析
# How the card talks to the reader, as the ATR says (`contact`, `contactless`, `unknown`).
diag-interface =
    { $interface ->
        [contact] 接触式
        [contactless] 非接触式
       *[unknown] 未知
    }
diag-historical = 历史字节
diag-known-atr = 个人编号卡的已知ATR
diag-protocol = 协议
diag-extended = 扩展APDU
diag-extended-short = 扩展APDU
diag-extended-measured = 扩展APDU（实测）
diag-yes = 支持
diag-no = 不支持
diag-yes-measured = 支持（实测）
diag-no-measured = 不支持（实测）
diag-last-apdu = 最后APDU响应
diag-last-apdu-long = 最后APDU响应
diag-rtt = 响应
diag-vendor = 制造商
diag-model = 型号
diag-firmware = 固件
diag-vendor-model-firmware = 制造商 / 型号 / 固件
diag-removals = 卡片取出次数
diag-removals-short = 取出
diag-removals-session = 本次会话中的卡片取出
diag-last-error = 最后的错误
# `madoguchi diagnose`: the station's own configuration; `madoguchi outbox list`'s columns.
diag-config-file = 配置文件
diag-seal-kid = 加密公钥 (kid)
diag-config-invalid = 配置问题：{ $path } 第 { $line } 行（{ $message }）。修正之前窗口终端不会启动。
diag-config-unreadable = 配置问题：无法读取 { $path }（{ $error }）。
diag-config-file-problem = 配置问题：{ $key } 的文件无法使用（{ $error }）。
outbox-col-id = ID
outbox-col-status = 状态
outbox-col-attempts = 发送次数
outbox-col-age = 已过时间
outbox-col-next = 下次发送
outbox-col-assurance = 保证级别
outbox-col-kid = 密钥 (kid)
outbox-col-last-error = 最后的错误
card-absent = 无
card-present = 有
card-mute = 无响应（请重新放置）
card-busy = 其他程序正在使用
kind-my-number-card = 个人编号卡
kind-juki-card = 住基卡
kind-not-jpki = 无JPKI的卡片
readers-no-card = 无卡片
readers-card-mute = 卡片无响应
readers-card-busy = 有卡片（其他程序正在使用）
readers-card-present = 有卡片
cli-last-try-hint = 如要继续，请加上 --last-try 重新运行。
cli-no-pin = 未输入密码。没有向卡片发送任何内容。

# Reader health and the status command.
placement-suspect = 卡片可能在移动或放置不当。请将卡片从卡套中取出，放在读卡器中央。
health-title = APDU 往返时间（最近 { $n } 次，最长 { $max } ms）
health-counts = 取下 { $removals } · 重发 { $resends } · 通信错误 { $errors }
status-no-station = 找不到正在运行的窗口终端（{ $path }: { $error }）。请确认终端是否以同一用户运行。
status-too-many = 该窗口终端已在响应 { $max } 个支持连接；请在其中一个结束后重试。
status-station-gone = 正在监视的窗口终端已退出（{ $path }）。
status-label-station = 终端
status-label-uptime = 运行时间
status-label-step = 步骤
status-label-reader = 读卡器
status-label-pcscd = pcscd
status-label-queue = 未发送
status-label-delivery = 最近发送
status-label-apdu = APDU 往返时间
status-label-errors = 错误
# Keys: the help line's words and the panes' key lines (the keys themselves are in src/ui/keys.rs).
key-agree = 同意并继续
key-verify = 验证
key-next-citizen = 下一位
key-yes = 是
key-no = 否
key-citizen-lang = 显示语言
key-representative = 法定代理人（工作人员）
key-pick = 选择代理人
key-skip = 跳过
key-decline = 不同意
key-dont-wait = 不等待
key-quit-now = 退出
key-continue = 继续
key-close = 关闭
key-demo-card = 放入/取出卡
pin-full = 无法再输入（{ $pin }最多{ $max }位）。
email-character = 不能使用该字符。请用半角英文字母、数字和符号输入。
email-legacy = 该地址含有连续的点或“@”前的点（2009年以前的docomo、au地址）。可以使用，但部分发件方可能无法送达。
contact-optional = 电子邮件地址为选填，不填写也可以继续办理。
notice-declined = 因未同意，已结束办理。未做任何记录。
quit-question = 要退出窗口终端吗？正在输入的内容将被清除。
quit-saving = 正在保存记录…保存完成后退出。
no-certificate-note-minors = 此卡没有签名用电子证明书（署名用電子証明書）。未满15岁者不签名，改用用户证明用电子证明书（利用者証明用電子証明書）的密码（4位数字）确认卡片后受理。15岁以上者请先到市区町村窗口申请发行签名用电子证明书后再办理。
no-certificate-note-unsigned = 此卡没有签名用电子证明书（署名用電子証明書），将不签名，改用用户证明用电子证明书（利用者証明用電子証明書）的密码（4位数字）确认卡片后受理。
finding-expired = 此卡的电子证明书已过有效期（Code 21）。请在市区町村窗口更新电子证明书后再来办理。尚未输入密码，输入次数没有减少。
health-title-short = APDU 往返时间
diag-not-used = 不使用（演示卡）
status-socket-failed = 无法打开支持用状态套接字 { $path }（{ $reason }）。`madoguchi status` 无法连接此终端。
status-socket-reason =
    { $reason ->
        [in_use] 另一台终端正在此套接字上应答
        [not_private] 套接字所在目录不是此用户专用的目录
        [permission] 没有权限
        [read_only] 文件系统为只读
        [no_space] 磁盘空间不足
        [not_found] 目录不存在
       *[other] 意外错误，详情请查看日志
    }
status-socket-short = 状态查询 ✕
status-pcscd-state =
    { $state ->
        [running] 运行中
        [stopped] 已停止
        [not_used] 不使用（演示）
       *[unknown] 未知
    }
status-uptime = { $secs } 秒
status-busy = 处理中
status-queue = { $pending } 条（需确认 { $review } 条）
status-crl =
    { $hours } 小时前{ $fresh ->
        [yes] {""}
       *[no] （过旧，未使用）
    }
status-apdu = { $n } 条，中位数 { $median } µs，最大 { $max } µs
status-errors = { $n } 条（取出 { $removals } 次，通信错误 { $transmit } 次）
status-label-crl = CRL
# `madoguchi status` values, by code.
status-code =
    { $code ->
        [no_service] pcscd 未运行
        [no_reader] 无读卡器
        [unknown_reader] 找不到指定读卡器
        [no_card] 无卡
        [card_removed] 卡已离开
        [card_reset] 卡被重置
        [card_unresponsive] 卡无响应
        [reader_busy] 读卡器被占用（其他程序）
        [timeout] 超时
        [extended_unsupported] 不支持扩展APDU
        [refused] 为安全而拒绝
        [communication] 通信错误
        [not_my_number_card] 不是个人编号卡
        [wrong_pin] 密码错误
        [pin_locked] 密码已锁定
        [security_status] 密码未验证
        [file_not_found] 文件不存在
        [no_signing_certificate] 无签名用电子证明书
        [malformed_answer] 卡的应答无效
        [card_status] 卡返回错误
        [outbox_full] 未发送记录已达上限
        [outbox_storage] 记录保存失败
        [outbox_seal] 记录加密失败
        [outbox_encode] 记录生成失败
        [pcscd_down] pcscd 已停止
        [reader_removed] 读卡器已拔出
        [card_mute] 卡无响应
        [delivery_failed] 未能发送，等待重发
        [accepted] 已受理
        [queued] 等待发送
        [certificate_expired] 已过期（Code 21）
        [certificate_revoked] 已失效（Code 23）
        [signature_mismatch] 签名不一致
        [unsupported_certificate] 证书不被受理
        [card_data_mismatch] 卡与证书不一致（需确认）
        [invalid_request] 记录无效
       *[other] { $code }
    }

# How the panes join words: a list's items, a key and what it does, a label and its value,
# a count after its name. The code only places what these make.
list-separator = 、
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
       *[other] { $year }-{ NUMBER($month, minimumIntegerDigits: 2) }-{ NUMBER($day, minimumIntegerDigits: 2) }（{ era-name }{ $era_year ->
            [1] 元
           *[other] { $era_year }
        }年）
    }
# The 利用者証明 challenge: its step, PIN screen, stops and verdicts; how a record proves the card.
step-prove = 用户证明
auth-pin-why = 为确认卡片是真的，将不签名，改用卡片的用户证明用电子证明书（利用者証明用電子証明書）进行确认。
auth-pin-other = 这是与刚才输入的密码不同的另一个密码（也有人设置了相同的数字）。未满15岁者，是领取卡片时法定代理人设定的密码。
proving = 正在用用户证明用电子证明书确认卡片。请不要移动卡片。
no-auth-certificate = 此卡没有用户证明用电子证明书（利用者証明用電子証明書），例如申请卡片时未申请发行。可在您所居住的市区町村窗口申请发行。
verdict-auth-expired = Code 21：用户证明用电子证明书（利用者証明用電子証明書）已过有效期。请在市区町村窗口更新电子证明书后，再来办理。
verdict-auth-revoked = Code 23：用户证明用电子证明书（利用者証明用電子証明書）已失效。请在市区町村窗口更新电子证明书后，再来办理。
verdict-assurance = 接收方无法确认此记录已由卡片证明（签名或用户证明）。请放置卡片并从头重新办理。如再次发生，请联系管理员。
verdict-record-time = 接收方不接受记录的日期时间：本终端的时钟偏差过大，或记录过旧。请检查终端的时钟并联系管理员。
done-unauthenticated = 未通过卡片的电子证明书进行确认，仅以基本4项信息受理。
done-level = 卡片确认方式（职员用）：{ $level }（{ $code }）
level-signed = 用签名用电子证明书签名
level-card-authenticated = 用用户证明用电子证明书确认
level-unauthenticated = 未确认卡片
unauthenticated-allowed = 允许未确认的记录
