title = 窓口 マイナンバーカード受付
step-consent = 同意
step-card = カード
step-pin = 暗証番号
step-reading = 読み取り
step-confirm = 確認
step-contact = 連絡先
step-sign = 署名
step-send = 送信
step-done = 完了
consent-heading = 利用規約
consent-scroll-hint = 最後までお読みください。最後まで読むと同意できます。
place-card = マイナンバーカードをリーダーに置いてください。
keep-card-still = 読み取りが終わるまで、カードを動かさないでください。
notice-card-removed = カードが離れました。もう一度リーダーに置いてください。
notice-timed-out = 一定時間操作がなかったため、入力内容を消去して最初に戻りました。
notice-cancelled = 入力内容を消去して最初に戻りました。
notice-queue-full = 未送信の記録が上限に達しているため、新しい受付を開始できません。ネットワークを確認し、送信が終わるまでお待ちください。
pin-rule-text = 数字4桁です。3回続けて間違えるとロックされます。
pin-rule-sign = 英字（大文字）と数字を両方含む6～16桁です。小文字は大文字として扱います。5回続けて間違えるとロックされます。
checking-tries = 残り入力回数を確認しています…
char-not-allowed = この文字は入力できません。
pin-wait-for-tries = まだ照合していません（残り入力回数を確認しています）。入力した文字はそのままです。残り回数が表示されてから、もう一度 { $keys } を押してください。
confirm-last-try = 残り1回です。間違えるとロックされます。このまま照合しますか？
reading = カードを読み取っています。カードを動かさないでください。
confirm-heading = カードから読み取った内容をご確認ください。
confirm-note = 内容が実際と違う場合は、再読み取りでは直らないため「中止」を選び（何も記録されません）、市区町村の窓口で記載内容の変更をしてください。
label-name = 氏名
label-former-name = 旧氏
label-gender = 性別
label-birth = 生年月日
# The Japanese era of the birth date on the confirm screen (和暦), by $era: each language
# writes the era's name its own way (the same characters in Chinese, Hangul in Korean, romanized).
era-name =
    { $era ->
        [meiji] 明治
        [taisho] 大正
        [showa] 昭和
        [heisei] 平成
       *[reiwa] 令和
    }
label-address = 住所
male = 男性
female = 女性
other-gender = その他・不明
button-reread = 再読み取り
button-next = 次へ
contact-heading = 連絡先のメールアドレスを入力してください。
contact-note = 入力したメールアドレスに誤りがないか、もう一度ご確認ください。半角英数字で入力します。
email-empty = メールアドレスを入力してください。
email-at = 「@」が1つ入ったメールアドレスを入力してください。
email-local = 「@」の前の部分に誤りがあります。
email-domain = 「@」の後ろの部分（ドメイン）に誤りがあります。
email-too-long = メールアドレスが長すぎます。
signing = 電子署名をしています。カードを動かさないでください。
storing = 記録を保存しています…
sending = 送信しています…
done-heading = 受付が完了しました。
done-queued = 記録は保存済みです。ネットワークが使えるようになると自動で送信されます。
done-unsigned = 署名用電子証明書がないため、署名の代わりに利用者証明用電子証明書でカードを確認して受け付けました。
stopped-heading = 受付を続けられません
store-failed = 記録を保存できませんでした。受付は完了していません。もう一度お試しください。
different-card = 確認したカードとは別のカードが置かれました。最初からやり直してください。
verdict-expired = 署名用電子証明書の有効期限が切れています（エラーコード21）。市区町村の窓口で電子証明書を更新してから、もう一度お手続きください。
verdict-revoked = 署名用電子証明書が失効しています（エラーコード23）。市区町村の窓口で電子証明書を更新してから、もう一度お手続きください。
verdict-signature = 電子署名を確認できませんでした。最初からやり直してください。
verdict-unsupported = この電子証明書は受け付けられません。
verdict-data-mismatch = カードの情報と電子証明書の情報が一致しません。住所や氏名の変更後は、市区町村の窓口で電子証明書の更新が必要です。
verdict-invalid = 送信した記録に問題がありました。管理者に連絡してください。
verdict-review = この記録は端末に保管され、管理者が確認します。
reveal = 表示
hide = 非表示
key-enter = 決定
key-esc = 最初から
key-scroll = スクロール
key-choose = 選択
key-diag = 診断
key-reader = リーダー切替
key-lang = 言語
key-quit = 終了
queue = 未送信
unsealed = 暗号化なし
too-small = 端末が小さすぎます（80x24以上が必要です）
store-failed-full = 未送信の記録が上限に達しているため、記録を保存できませんでした。受付は完了していません。送信が進んでからもう一度お試しください。
store-failed-disk = 記録を端末に保存できませんでした。受付は完了していません。管理者がディスクの空きと権限を確認してください。
store-failed-seal = 記録を暗号化できませんでした。受付は完了していません。管理者が送信先の公開鍵の設定を確認してください。
signature-invalid = カードの電子署名をこの端末で確認できませんでした。記録は保存していません。カードを置き直して、最初からやり直してください。
no-certificate-adult = このカードには署名用電子証明書が入っていません（カードの申請時に発行しなかった場合や、顔認証マイナンバーカードの場合など）。署名用電子証明書は、お住まいの市区町村の窓口で発行を受けられます。
done-review = カードの内容と署名用電子証明書の内容が一致しない項目があります:
done-review-why = 住所や氏名などの変更後に電子証明書が更新されていないと起こります。電子証明書の更新は市区町村の窓口で行います。記録は保存され、担当者が確認します。
button-stop = 中止
hotline =
    マイナンバー総合フリーダイヤル 0120-95-0178
    （平日 9:30～20:00、土日祝 9:30～17:30）
receipt-number = 受付番号
receipt-keep = 受付番号を控えるか、QRコードを撮影してください。
review = 要確認
privacy-heading = 個人情報の取り扱い
representative-heading = 法定代理人の確認（職員が操作します）
representative-note = 15歳未満の方、または成年被後見人の方の手続きは、法定代理人が行います。来庁した方を確認し、ファンクションキーで選んでください。
representative-parent = 親権者
representative-guardian = 後見人（未成年後見人・成年後見人）
representative-other = その他の代理人（委任状）
representative-choose = 代理人を選んでから決定してください。選ぶまで先に進めません。
email-again = 確認のため、同じメールアドレスをもう一度入力してください。
email-mismatch = 1回目と2回目のメールアドレスが一致しません。もう一度はじめから入力してください。
card-tip-case = ・カードをケースから出してください。
card-tip-metal = ・金属製の机の上や、金属の近くに置かないでください。
card-tip-still = ・読み取りが終わるまで、5秒ほど動かさずにお待ちください。
konbini-reset = 署名用電子証明書のパスワードは、市区町村の窓口のほか、コンビニ等でも初期化・再設定できます（お住まいの市区町村が対応している場合）。
reset-here = この窓口で暗証番号の初期化ができます。職員にお声がけください。
done-verdict-later = 電子証明書の確認結果（エラーコード21・23など）は後で担当者に届きます。お手続きに問題があった場合は、担当者からご連絡します。
diag-running = 動作中
diag-not-running = 停止
diag-reader = リーダー
diag-title-full = リーダー診断
diag-no-reader = リーダーが接続されていません
diag-card = カード
diag-kind = 種類
diag-atr-decoded = ATR解析
# How the card talks to the reader, as the ATR says (`contact`, `contactless`, `unknown`).
diag-interface =
    { $interface ->
        [contact] 接触
        [contactless] 非接触
       *[unknown] 不明
    }
diag-historical = ヒストリカル
diag-known-atr = マイナンバーカードの既知ATR
diag-protocol = プロトコル
diag-extended = 拡張APDU
diag-extended-short = 拡張APDU
diag-extended-measured = 拡張APDU（実測）
diag-yes = 対応
diag-no = 非対応
diag-yes-measured = 対応（実測）
diag-no-measured = 非対応（実測）
diag-last-apdu = 最終APDU応答
diag-last-apdu-long = 最終APDU応答
diag-rtt = 応答
diag-vendor = メーカー
diag-model = 型番
diag-firmware = ファームウェア
diag-vendor-model-firmware = メーカー / 型番 / FW
diag-removals = カード取り外し回数
diag-removals-short = 取り外し
diag-removals-session = このセッションでのカード取り外し
diag-last-error = 最後のエラー
# `madoguchi diagnose`: the station's own configuration; `madoguchi outbox list`'s columns.
diag-config-file = 設定ファイル
diag-seal-kid = 封緘用公開鍵 (kid)
diag-config-invalid = 設定の問題: { $path } の { $line } 行目（{ $message }）。直すまで窓口端末は起動しません。
diag-config-unreadable = 設定の問題: { $path } を読めません（{ $error }）。
diag-config-file-problem = 設定の問題: { $key } のファイルを使えません（{ $error }）。
outbox-col-id = ID
outbox-col-status = 状態
outbox-col-attempts = 送信回数
outbox-col-age = 経過
outbox-col-next = 次の送信
outbox-col-assurance = 保証レベル
outbox-col-kid = 鍵 (kid)
outbox-col-last-error = 最後のエラー
card-absent = なし
card-present = あり
card-mute = 応答なし（置き直してください）
card-busy = 他のプログラムが使用中
kind-my-number-card = マイナンバーカード
kind-juki-card = 住基カード
kind-not-jpki = JPKIのないカード
readers-no-card = カードなし
readers-card-mute = カード応答なし
readers-card-busy = カードあり（他のプログラムが使用中）
readers-card-present = カードあり
cli-last-try-hint = 続ける場合は --last-try を付けて実行してください。
cli-no-pin = 暗証番号が入力されませんでした。カードには何も送信していません。

# Reader health and the status command.
placement-suspect = カードが動いたか、置き方が悪いようです。ケースから出し、リーダーの中央に置いてください。
health-title = APDU 往復時間（直近{ $n }件、最大 { $max } ms）
health-counts = 取り外し { $removals }・再送 { $resends }・通信エラー { $errors }
status-no-station = 動作中の窓口端末が見つかりません（{ $path }: { $error }）。同じユーザーで端末が起動しているか確認してください。
status-too-many = この窓口端末はすでに { $max } 件のサポート接続に応答しています。どれかが終わってからもう一度試してください。
status-station-gone = 監視していた窓口端末が終了しました（{ $path }）。
status-label-station = 端末
status-label-uptime = 稼働時間
status-label-step = 手順
status-label-reader = リーダー
status-label-pcscd = pcscd
status-label-queue = 未送信
status-label-delivery = 最後の送信
status-label-apdu = APDU 往復時間
status-label-errors = エラー
# Keys: the help line's words and the panes' key lines (the keys themselves are in src/ui/keys.rs).
key-agree = 同意して次へ
key-verify = 照合
key-next-citizen = 次の方へ
key-yes = はい
key-no = いいえ
key-citizen-lang = 表示言語
key-representative = 法定代理人（職員）
key-pick = 代理人を選ぶ
key-skip = 省略する
key-decline = 同意しない
key-dont-wait = 待たずに完了
key-quit-now = 終了する
key-continue = 続ける
key-close = 閉じる
key-demo-card = カード出し入れ
pin-full = これ以上は入力できません（{ $pin }は{ $max }桁までです）。
email-character = この文字は使えません。半角の英数字と記号で入力してください。
email-legacy = ドットが続く、または「@」の直前にドットがあるアドレスです（2009年以前のドコモ・auのアドレス）。そのまま使えますが、送信元によっては届かない場合があります。
contact-optional = メールアドレスの入力は任意です。入力しなくても受付を続けられます。
notice-declined = 同意されなかったため、受付を終了しました。何も記録していません。
quit-question = 窓口端末を終了しますか？入力中の内容は消去されます。
quit-saving = 記録を保存しています…保存が終わってから終了します。
no-certificate-note-minors = このカードには署名用電子証明書がありません。15歳未満の方は、署名の代わりに利用者証明用電子証明書の暗証番号（数字4桁）でカードを確認して受け付けます。15歳以上の方は、市区町村の窓口で署名用電子証明書の発行を受けてからお手続きください。
no-certificate-note-unsigned = このカードには署名用電子証明書がないため、署名の代わりに利用者証明用電子証明書の暗証番号（数字4桁）でカードを確認して受け付けます。
finding-expired = このカードの電子証明書は有効期限が切れています（エラーコード21）。市区町村の窓口で電子証明書を更新してから、もう一度お手続きください。暗証番号はまだ入力していないため、入力回数は減っていません。
health-title-short = APDU 往復時間
diag-not-used = 使用しない（デモのカード）
status-socket-failed = サポート用の状態ソケット { $path } を開けませんでした（{ $reason }）。`madoguchi status` はこの端末に接続できません。
status-socket-reason =
    { $reason ->
        [in_use] 別の窓口端末がこのソケットで応答しています
        [not_private] ソケットのディレクトリがこのユーザー専用のディレクトリではありません
        [permission] 権限がありません
        [read_only] 読み取り専用のファイルシステムです
        [no_space] ディスクに空きがありません
        [not_found] ディレクトリがありません
       *[other] 予期しないエラーです。詳しくはログを確認してください
    }
status-socket-short = 状態照会 ✕
status-pcscd-state =
    { $state ->
        [running] 動作中
        [stopped] 停止
        [not_used] 使用しない（デモ）
       *[unknown] 不明
    }
status-uptime = { $secs } 秒
status-busy = 処理中
status-queue = { $pending } 件（要確認 { $review } 件）
status-crl =
    { $hours } 時間前{ $fresh ->
        [yes] {""}
       *[no] （古いため未使用）
    }
status-apdu = { $n } 件、中央値 { $median } µs、最大 { $max } µs
status-errors = { $n } 件（取り外し { $removals } 回、通信エラー { $transmit } 回）
status-label-crl = CRL
# `madoguchi status` values, by code.
status-code =
    { $code ->
        [no_service] pcscd が起動していない
        [no_reader] リーダーなし
        [unknown_reader] 指定のリーダーが見つからない
        [no_card] カードなし
        [card_removed] カードが離れた
        [card_reset] カードがリセットされた
        [card_unresponsive] カードが応答しない
        [reader_busy] リーダー使用中（他のプログラム）
        [timeout] 応答なし（時間切れ）
        [extended_unsupported] 拡張APDU非対応
        [refused] 安全のため拒否
        [communication] 通信エラー
        [not_my_number_card] マイナンバーカードではない
        [wrong_pin] 暗証番号の誤り
        [pin_locked] 暗証番号のロック
        [security_status] 暗証番号の確認前
        [file_not_found] ファイルなし
        [no_signing_certificate] 署名用電子証明書なし
        [malformed_answer] カードの応答が不正
        [card_status] カードのエラー応答
        [outbox_full] 未送信の記録が上限
        [outbox_storage] 記録の保存に失敗
        [outbox_seal] 記録の暗号化に失敗
        [outbox_encode] 記録の作成に失敗
        [pcscd_down] pcscd が停止した
        [reader_removed] リーダーが外れた
        [card_mute] カードが応答しない
        [delivery_failed] 送信できず再送待ち
        [accepted] 受理
        [queued] 送信待ち
        [certificate_expired] 有効期限切れ（エラーコード21）
        [certificate_revoked] 失効（エラーコード23）
        [signature_mismatch] 署名の不一致
        [unsupported_certificate] 受け付けられない証明書
        [card_data_mismatch] カードと証明書の不一致（要確認）
        [invalid_request] 不正な記録
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
       *[other] { era-name }{ $era_year ->
            [1] 元
           *[other] { $era_year }
        }年{ $month }月{ $day }日（{ $year }年{ $month }月{ $day }日）
    }
# The 利用者証明 challenge: its step, PIN screen, stops and verdicts; how a record proves the card.
step-prove = 利用者証明
auth-pin-why = カードが本物であることを確かめるため、署名の代わりに、カードの利用者証明用電子証明書で確認します。
auth-pin-other = 先ほどの暗証番号とは別の暗証番号です（同じ数字にしている方もいます）。15歳未満の方は、カードの受け取り時に法定代理人が設定した暗証番号です。
proving = 利用者証明用電子証明書でカードを確認しています。カードを動かさないでください。
no-auth-certificate = このカードには利用者証明用電子証明書が入っていません（カードの申請時に発行しなかった場合など）。利用者証明用電子証明書は、お住まいの市区町村の窓口で発行を受けられます。
verdict-auth-expired = 利用者証明用電子証明書の有効期限が切れています（エラーコード21）。市区町村の窓口で電子証明書を更新してから、もう一度お手続きください。
verdict-auth-revoked = 利用者証明用電子証明書が失効しています（エラーコード23）。市区町村の窓口で電子証明書を更新してから、もう一度お手続きください。
verdict-assurance = 受付側で、この記録がカードで確認されたこと（署名または利用者証明）を確かめられませんでした。カードを置いて最初からやり直してください。繰り返す場合は管理者に連絡してください。
verdict-record-time = 受付側が記録の日時を受け付けませんでした。この端末の時計が大きくずれているか、記録が古すぎます。端末の時計を確認し、管理者に連絡してください。
done-unauthenticated = カードの電子証明書による確認はせずに、基本4情報のみで受け付けました。
done-level = 確認の方法（職員向け）: { $level }（{ $code }）
level-signed = 署名用電子証明書で署名
level-card-authenticated = 利用者証明用電子証明書で確認
level-unauthenticated = カードの確認なし
unauthenticated-allowed = 確認なしの記録: 許可
