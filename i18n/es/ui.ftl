title = Madoguchi - Registro con la My Number Card
step-consent = Acuerdo
step-card = Tarjeta
step-pin = PIN
step-reading = Lectura
step-confirm = Revisión
step-contact = Contacto
step-sign = Firma
step-send = Envío
step-done = Fin
consent-heading = Condiciones de uso
consent-scroll-hint = Lea hasta el final; después podrá aceptar.
place-card = Coloque la My Number Card (マイナンバーカード) sobre el lector.
keep-card-still = No mueva la tarjeta hasta que termine la lectura.
notice-card-removed = La tarjeta se separó del lector. Vuelva a colocarla sobre el lector.
notice-timed-out = Como no hubo actividad durante un tiempo, se borró todo lo introducido y se volvió al inicio.
notice-cancelled = Se borró todo lo introducido y se volvió al inicio.
notice-queue-full = Hay demasiados registros sin enviar: no se puede iniciar un nuevo registro. Compruebe la red y espere a que termine el envío.
pin-rule-text = 4 dígitos. Hay 3 intentos; tras 3 errores, el PIN se bloquea.
pin-rule-sign = De 6 a 16 caracteres con letras (mayúsculas) y dígitos, al menos uno de cada. Las minúsculas cuentan como mayúsculas. Hay 5 intentos; tras 5 errores, la contraseña se bloquea.
checking-tries = Comprobando los intentos restantes...
char-not-allowed = Ese carácter no se puede introducir aquí.
pin-wait-for-tries = Aún no se ha comprobado: se están leyendo los intentos restantes. Lo que ha escrito se mantiene; pulse { $keys } de nuevo cuando aparezcan.
confirm-last-try = Es el último intento: un error lo bloquea. ¿Comprobar este?
reading = Leyendo la tarjeta. No la mueva.
confirm-heading = Compruebe los datos leídos de la tarjeta.
confirm-note = Si algo no es correcto, leer de nuevo no lo cambia: elija «Detener» (no se registra nada) y pida a la oficina municipal (市区町村の窓口) que actualice la tarjeta.
label-name = Nombre
label-former-name = Apellido anterior (旧氏)
label-gender = Sexo
label-birth = Fecha de nacimiento
# The Japanese era of the birth date on the confirm screen (和暦), by $era.
era-name =
    { $era ->
        [meiji] Meiji
        [taisho] Taisho
        [showa] Showa
        [heisei] Heisei
       *[reiwa] Reiwa
    }
label-address = Domicilio
male = hombre
female = mujer
other-gender = otro / desconocido
button-reread = Leer de nuevo
button-next = Siguiente
contact-heading = Introduzca su correo electrónico de contacto.
contact-note = Compruebe una vez más que la dirección es correcta antes de continuar.
email-empty = Introduzca una dirección de correo electrónico.
email-at = La dirección necesita exactamente una «@».
email-local = La parte anterior a «@» no es válida.
email-domain = La parte posterior a «@» (el dominio) no es válida.
email-too-long = La dirección es demasiado larga.
signing = Firmando con la tarjeta. No la mueva.
storing = Guardando el registro...
sending = Enviando...
done-heading = Registro completado.
done-queued = El registro está guardado y se enviará automáticamente cuando haya red.
done-unsigned = Esta tarjeta no tiene certificado de firma: se comprobó con su certificado de usuario y se aceptaron los cuatro datos básicos.
stopped-heading = No se puede continuar
store-failed = No se pudo guardar el registro. El registro no está completo. Inténtelo de nuevo.
different-card = Se colocó una tarjeta distinta de la comprobada. Empiece de nuevo.
verdict-expired = Code 21: el certificado de firma (署名用電子証明書) ha caducado. Renuévelo en la oficina municipal (市区町村の窓口) y vuelva a hacer el trámite.
verdict-revoked = Code 23: el certificado de firma (署名用電子証明書) ha sido revocado. Renuévelo en la oficina municipal (市区町村の窓口) y vuelva a hacer el trámite.
verdict-signature = No se pudo verificar la firma. Empiece de nuevo.
verdict-unsupported = Este certificado no se acepta.
verdict-data-mismatch = Los datos de la tarjeta y del certificado no coinciden. Tras un cambio de domicilio o de nombre, el certificado debe renovarse en la oficina municipal (市区町村の窓口).
verdict-invalid = El servidor rechazó el registro. Contacte con el administrador.
verdict-review = El registro queda en esta estación para que lo revise el administrador.
reveal = mostrar
hide = ocultar
key-enter = confirmar
key-esc = reiniciar
key-scroll = desplazar
key-choose = elegir
key-diag = diagnóst.
key-reader = lector
key-lang = Idioma
key-quit = salir
queue = sin enviar
unsealed = SIN cifrar
too-small = Terminal demasiado pequeño (se necesita 80x24)
store-failed-full = Hay demasiados registros sin enviar y no se pudo guardar el registro. El registro no está completo. Inténtelo cuando se hayan enviado registros.
store-failed-disk = No se pudo guardar el registro en esta estación. El registro no está completo. El administrador debe revisar el espacio en disco y los permisos.
store-failed-seal = No se pudo cifrar el registro. El registro no está completo. El administrador debe revisar la clave pública del servidor.
signature-invalid = No se pudo verificar en esta estación la firma de la tarjeta. No se guardó nada. Vuelva a colocar la tarjeta y empiece de nuevo.
no-certificate-adult = Esta tarjeta no contiene certificado de firma (署名用電子証明書): no se solicitó al emitir la tarjeta, o es una My Number Card con autenticación facial. La oficina municipal (市区町村の窓口) emite los certificados de firma.
done-review = Algunos datos de la tarjeta no coinciden con el certificado de firma:
done-review-why = Ocurre cuando el certificado no se renovó tras un cambio de domicilio o de nombre; la oficina municipal (市区町村の窓口) lo renueva. El registro está guardado y lo revisará el personal.
button-stop = Detener
hotline =
    Línea gratuita general de My Number (マイナンバー総合フリーダイヤル) 0120-95-0178
    (días laborables 9:30-20:00, fines de semana y festivos 9:30-17:30)
receipt-number = Número de recibo
receipt-keep = Anote el número de recibo o fotografíe el código QR.
review = revisar
privacy-heading = Tratamiento de los datos personales
representative-heading = Representante legal (este paso lo hace el personal)
representative-note = Para menores de 15 años o personas bajo tutela, el trámite lo hace un representante legal (法定代理人). Compruebe quién está presente y elija con una tecla de función.
representative-parent = padre o madre (親権者)
representative-guardian = tutor (後見人)
representative-other = otro representante (carta poder)
representative-choose = Elija quién hace el trámite y confirme. El registro no puede seguir sin ello.
email-again = Escriba otra vez la misma dirección de correo para confirmarla.
email-mismatch = Las dos direcciones no coinciden. Escriba la dirección de nuevo desde el principio.
card-tip-case = - Saque la tarjeta de su funda.
card-tip-metal = - No la ponga sobre mesas de metal ni cerca de metales.
card-tip-still = - No la mueva durante unos 5 segundos, hasta que termine la lectura.
konbini-reset = La 署名用電子証明書のパスワード (contraseña del certificado de firma) también puede restablecerse en terminales de tiendas de conveniencia si su municipio lo ofrece, además de en la oficina municipal.
reset-here = En este mostrador se pueden restablecer los PIN: pregunte al personal.
done-verdict-later = El resultado de la comprobación del certificado (Code 21/23, etc.) llega más tarde al personal; le contactarán si hay algún problema.
diag-running = en marcha
diag-not-running = detenido
diag-reader = Lector
diag-title-full = Diagnóstico del lector
diag-no-reader = No hay lector conectado
diag-card = Tarjeta
diag-kind = Tipo
diag-atr-decoded = ATR decodificado
# How the card talks to the reader, as the ATR says (`contact`, `contactless`, `unknown`).
diag-interface =
    { $interface ->
        [contact] con contacto
        [contactless] sin contacto
       *[unknown] desconocida
    }
diag-historical = históricos
diag-known-atr = ATR conocido de My Number Card
diag-protocol = Protocolo
diag-extended = APDU extendida
diag-extended-short = APDU ext.
diag-extended-measured = APDU extendida (medida)
diag-yes = sí
diag-no = no
diag-yes-measured = sí (medido)
diag-no-measured = no (medido)
diag-last-apdu = Última APDU
diag-last-apdu-long = Ida y vuelta de la última APDU
diag-rtt = RTT
diag-vendor = Fabricante
diag-model = Modelo
diag-firmware = Firmware
diag-vendor-model-firmware = Fabricante / modelo / firmware
diag-removals = Retiradas de tarjeta
diag-removals-short = Retiradas
diag-removals-session = Retiradas de tarjeta en esta sesión
diag-last-error = Último error
# `madoguchi diagnose`: the station's own configuration; `madoguchi outbox list`'s columns.
diag-config-file = configuración
diag-seal-kid = clave de sellado (kid)
diag-config-invalid = problema de configuración: { $path }, línea { $line } ({ $message }). La estación no arranca hasta que se corrija.
diag-config-unreadable = problema de configuración: no se puede leer { $path } ({ $error }).
diag-config-file-problem = problema de configuración: no se puede usar el archivo de { $key } ({ $error }).
outbox-col-id = id
outbox-col-status = estado
outbox-col-attempts = intentos
outbox-col-age = antigüedad
outbox-col-next = próximo en
outbox-col-assurance = garantía
outbox-col-kid = clave (kid)
outbox-col-last-error = último error
card-absent = ninguna
card-present = presente
card-mute = no responde (colóquela de nuevo)
card-busy = en uso por otro programa
kind-my-number-card = My Number Card
kind-juki-card = tarjeta Juki
kind-not-jpki = tarjeta sin JPKI
readers-no-card = sin tarjeta
readers-card-mute = la tarjeta no responde
readers-card-busy = tarjeta presente (en uso por otro programa)
readers-card-present = tarjeta presente
cli-last-try-hint = Para continuar, vuelva a ejecutar con --last-try.
cli-no-pin = No se introdujo ningún PIN. No se envió nada a la tarjeta.

# Reader health and the status command.
placement-suspect = ¿La tarjeta se mueve o está mal colocada? Sáquela de su funda y colóquela en el centro del lector.
health-title = Tiempos de ida y vuelta APDU (últimos { $n }, máx. { $max } ms)
health-counts = retiradas { $removals } · reenvíos { $resends } · errores de transmisión { $errors }
status-no-station = No responde ninguna estación en marcha ({ $path }: { $error }). ¿Se ejecuta la estación con este usuario?
status-too-many = La estación ya atiende { $max } clientes de soporte; inténtelo de nuevo cuando termine uno.
status-station-gone = La estación observada se ha detenido ({ $path }).
status-label-station = estación
status-label-uptime = tiempo activo
status-label-step = paso
status-label-reader = lector
status-label-pcscd = pcscd
status-label-queue = sin enviar
status-label-delivery = último envío
status-label-apdu = ida y vuelta APDU
status-label-errors = errores
# Keys: the help line's words and the panes' key lines (the keys themselves are in src/ui/keys.rs).
key-agree = aceptar y continuar
key-verify = comprobar
key-next-citizen = siguiente persona
key-yes = sí
key-no = no
key-citizen-lang = idioma
key-representative = representante (personal)
key-pick = elegir
key-skip = omitir
key-decline = no acepto
key-dont-wait = no esperar
key-quit-now = salir
key-continue = seguir
key-close = cerrar
key-demo-card = tarjeta
pin-full = No se puede escribir más: el { $pin } tiene como máximo { $max } caracteres.
email-character = Ese carácter no se puede usar: escriba letras, números y símbolos de la dirección.
email-legacy = Esta dirección tiene puntos seguidos o un punto antes de «@» (direcciones de docomo y au anteriores a 2009). Se acepta, pero algunos remitentes no pueden entregarle correo.
contact-optional = La dirección de correo es opcional: el registro puede seguir sin ella.
notice-declined = No aceptado: el registro terminó y no se guardó nada.
quit-question = ¿Cerrar la estación? Se borra todo lo introducido.
quit-saving = Guardando el registro… la estación se cerrará cuando esté guardado.
no-certificate-note-minors = Esta tarjeta no tiene certificado de firma (署名用電子証明書). A los menores de 15 años se les registra sin firma: la tarjeta se comprueba con el PIN de su certificado de usuario (利用者証明用電子証明書, 4 dígitos). Desde los 15 años hace falta antes un certificado de firma de la oficina municipal (市区町村の窓口).
no-certificate-note-unsigned = Esta tarjeta no tiene certificado de firma (署名用電子証明書): en lugar de una firma, la tarjeta se comprueba con el PIN de su certificado de usuario (利用者証明用電子証明書, 4 dígitos).
finding-expired = Los certificados de esta tarjeta han caducado (Code 21). Renuévelos en la oficina municipal (市区町村の窓口) y vuelva a hacer el trámite. No se escribió ningún PIN: no se gastó ningún intento.
health-title-short = Ida y vuelta APDU
diag-not-used = no se usa (tarjeta de demostración)
status-socket-failed = No se pudo abrir el socket de estado para soporte { $path } ({ $reason }): `madoguchi status` no puede llegar a esta estación.
status-socket-reason =
    { $reason ->
        [in_use] otra estación responde en este socket
        [not_private] su directorio no es exclusivo de este usuario
        [permission] permiso denegado
        [read_only] sistema de archivos de solo lectura
        [no_space] no queda espacio en el disco
        [not_found] el directorio no existe
       *[other] un error inesperado; el registro tiene los detalles
    }
status-socket-short = estado ✕
status-pcscd-state =
    { $state ->
        [running] en marcha
        [stopped] detenido
        [not_used] no se usa (demostración)
       *[unknown] desconocido
    }
status-uptime = { $secs } s
status-busy = en curso
status-queue = { $pending } (revisar { $review })
status-crl = hace { $hours } h{ $fresh ->
        [yes] {""}
       *[no] {" "}(antigua: no se usa)
    }
status-apdu = { $n } APDU, mediana { $median } µs, máx. { $max } µs
status-errors = { $n } (retiradas { $removals }, errores de comunicación { $transmit })
status-label-crl = CRL
# `madoguchi status` values, by code.
status-code =
    { $code ->
        [no_service] pcscd no está en marcha
        [no_reader] sin lector
        [unknown_reader] lector no encontrado
        [no_card] sin tarjeta
        [card_removed] tarjeta retirada
        [card_reset] tarjeta reiniciada
        [card_unresponsive] la tarjeta no responde
        [reader_busy] lector ocupado (otro programa)
        [timeout] tiempo agotado
        [extended_unsupported] sin APDU extendidas
        [refused] rechazado por seguridad
        [communication] error de comunicación
        [not_my_number_card] no es una Tarjeta My Number
        [wrong_pin] PIN incorrecto
        [pin_locked] PIN bloqueado
        [security_status] PIN no verificado
        [file_not_found] archivo no encontrado
        [no_signing_certificate] sin certificado de firma
        [malformed_answer] respuesta de tarjeta no válida
        [card_status] la tarjeta devolvió un error
        [outbox_full] cola de registros llena
        [outbox_storage] registro no guardado
        [outbox_seal] registro no cifrado
        [outbox_encode] registro no creado
        [pcscd_down] pcscd se detuvo
        [reader_removed] lector desconectado
        [card_mute] la tarjeta no responde
        [delivery_failed] no enviado, se reintentará
        [accepted] aceptado
        [queued] en cola
        [certificate_expired] caducado (Code 21)
        [certificate_revoked] revocado (Code 23)
        [signature_mismatch] firma no coincide
        [unsupported_certificate] certificado no aceptado
        [card_data_mismatch] tarjeta y certificado difieren (revisar)
        [invalid_request] registro no válido
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
step-prove = Autenticar
auth-pin-why = Para comprobar que la tarjeta es auténtica, la tarjeta se identifica con su certificado de usuario (利用者証明用電子証明書), en lugar de una firma.
auth-pin-other = Es otro PIN distinto del que introdujo antes (hay quien eligió los mismos dígitos). Para menores de 15 años, es el PIN que fijó el representante legal al recibir la tarjeta.
proving = Comprobando la tarjeta con su certificado de usuario. No la mueva.
no-auth-certificate = Esta tarjeta no tiene certificado de usuario (利用者証明用電子証明書), por ejemplo si no se pidió con la tarjeta. Lo emite la oficina municipal (市区町村の窓口) del lugar donde vive el titular.
verdict-auth-expired = Code 21: el certificado de usuario (利用者証明用電子証明書) ha caducado. Renuévelo en la oficina municipal (市区町村の窓口) y vuelva a hacer el trámite.
verdict-auth-revoked = Code 23: el certificado de usuario (利用者証明用電子証明書) ha sido revocado. Renuévelo en la oficina municipal (市区町村の窓口) y vuelva a hacer el trámite.
verdict-assurance = El servidor no pudo confirmar que la tarjeta probó este registro (firma o certificado de usuario). Coloque la tarjeta y empiece de nuevo; si se repite, contacte con el administrador.
verdict-record-time = El servidor rechazó la fecha y hora del registro: el reloj de este puesto está muy desajustado o el registro es demasiado antiguo. Revise el reloj del puesto y contacte con el administrador.
done-unauthenticated = Aceptado solo con los cuatro datos básicos, sin comprobar los certificados de la tarjeta.
done-level = Prueba de la tarjeta (personal): { $level } ({ $code })
level-signed = firmado con el certificado de firma
level-card-authenticated = comprobada con el certificado de usuario
level-unauthenticated = tarjeta NO comprobada
unauthenticated-allowed = registros sin comprobar PERMITIDOS
