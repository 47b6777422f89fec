title = Madoguchi - Cadastro com o My Number Card
step-consent = Acordo
step-card = Cartão
step-pin = Senha
step-reading = Leitura
step-confirm = Conferir
step-contact = Contato
step-sign = Assinatura
step-send = Envio
step-done = Fim
consent-heading = Termos de uso
consent-scroll-hint = Leia até o fim; depois poderá aceitar.
place-card = Coloque o My Number Card (マイナンバーカード) sobre o leitor.
keep-card-still = Não mova o cartão até a leitura terminar.
notice-card-removed = O cartão saiu do leitor. Coloque-o de novo sobre o leitor.
notice-timed-out = Como não houve atividade por algum tempo, tudo o que foi digitado foi apagado e voltou-se ao início.
notice-cancelled = Tudo o que foi digitado foi apagado e voltou-se ao início.
notice-queue-full = Há registros demais não enviados: não é possível iniciar um novo cadastro. Verifique a rede e aguarde o fim do envio.
pin-rule-text = 4 dígitos. São 3 tentativas; após 3 erros, a senha é bloqueada.
pin-rule-sign = De 6 a 16 caracteres com letras (maiúsculas) e dígitos, pelo menos um de cada. Minúsculas contam como maiúsculas. São 5 tentativas; após 5 erros, a senha é bloqueada.
checking-tries = Verificando as tentativas restantes...
char-not-allowed = Esse caractere não pode ser digitado aqui.
pin-wait-for-tries = Ainda não conferido: as tentativas restantes estão sendo lidas. O que você digitou continua; pressione { $keys } de novo quando aparecerem.
confirm-last-try = Esta é a última tentativa: um erro a bloqueia. Conferir esta?
reading = Lendo o cartão. Não o mova.
confirm-heading = Confira os dados lidos do cartão.
confirm-note = Se algo estiver errado, ler de novo não muda: escolha "Parar" (nada é registrado) e peça à prefeitura (市区町村の窓口) que atualize o cartão.
label-name = Nome
label-former-name = Sobrenome anterior (旧氏)
label-gender = Sexo
label-birth = Data de nascimento
# The Japanese era of the birth date on the confirm screen (和暦), by $era.
era-name =
    { $era ->
        [meiji] Meiji
        [taisho] Taisho
        [showa] Showa
        [heisei] Heisei
       *[reiwa] Reiwa
    }
label-address = Endereço
male = masculino
female = feminino
other-gender = outro / desconhecido
button-reread = Ler de novo
button-next = Próximo
contact-heading = Digite seu e-mail de contato.
contact-note = Confira mais uma vez se o endereço está correto antes de continuar.
email-empty = Digite um endereço de e-mail.
email-at = O endereço precisa de exatamente um "@".
email-local = A parte antes do "@" não é válida.
email-domain = A parte depois do "@" (o domínio) não é válida.
email-too-long = O endereço é longo demais.
signing = Assinando com o cartão. Não o mova.
storing = Salvando o registro...
sending = Enviando...
done-heading = Cadastro concluído.
done-queued = O registro foi salvo e será enviado automaticamente quando houver rede.
done-unsigned = Este cartão não tem certificado de assinatura: ele foi verificado com o certificado de usuário e os quatro dados básicos foram aceitos.
stopped-heading = Não é possível continuar
store-failed = Não foi possível salvar o registro. O cadastro não foi concluído. Tente de novo.
different-card = Foi colocado um cartão diferente do conferido. Comece de novo.
verdict-expired = Code 21: o certificado de assinatura (署名用電子証明書) expirou. Renove-o na prefeitura (市区町村の窓口) e faça o procedimento de novo.
verdict-revoked = Code 23: o certificado de assinatura (署名用電子証明書) foi revogado. Renove-o na prefeitura (市区町村の窓口) e faça o procedimento de novo.
verdict-signature = Não foi possível verificar a assinatura. Comece de novo.
verdict-unsupported = Este certificado não é aceito.
verdict-data-mismatch = Os dados do cartão e do certificado não coincidem. Após mudança de endereço ou de nome, o certificado deve ser renovado na prefeitura (市区町村の窓口).
verdict-invalid = O servidor rejeitou o registro. Contate o administrador.
verdict-review = O registro fica nesta estação para revisão do administrador.
reveal = mostrar
hide = ocultar
key-enter = confirmar
key-esc = recomeçar
key-scroll = rolar
key-choose = escolher
key-diag = diagnóst.
key-reader = leitor
key-lang = Idioma
key-quit = sair
queue = não enviados
unsealed = SEM criptografia
too-small = Terminal pequeno demais (é preciso 80x24)
store-failed-full = Há registros demais não enviados, então o registro não pôde ser salvo. O cadastro não foi concluído. Tente de novo depois que registros forem enviados.
store-failed-disk = O registro não pôde ser salvo nesta estação. O cadastro não foi concluído. O administrador deve verificar o espaço em disco e as permissões.
store-failed-seal = O registro não pôde ser criptografado. O cadastro não foi concluído. O administrador deve verificar a chave pública do servidor.
signature-invalid = A assinatura do cartão não pôde ser verificada nesta estação. Nada foi salvo. Coloque o cartão de novo e recomece.
no-certificate-adult = Este cartão não tem certificado de assinatura (署名用電子証明書): não foi pedido na emissão do cartão, ou é um My Number Card com autenticação facial. A prefeitura (市区町村の窓口) emite certificados de assinatura.
done-review = Alguns dados do cartão diferem do certificado de assinatura:
done-review-why = Isso acontece quando o certificado não foi renovado após mudança de endereço ou de nome; a prefeitura (市区町村の窓口) o renova. O registro foi salvo e será revisado pela equipe.
button-stop = Parar
hotline =
    Linha gratuita geral do My Number (マイナンバー総合フリーダイヤル) 0120-95-0178
    (dias úteis 9:30-20:00, fins de semana e feriados 9:30-17:30)
receipt-number = Número do protocolo
receipt-keep = Anote o número do protocolo ou fotografe o código QR.
review = revisar
privacy-heading = Tratamento dos dados pessoais
representative-heading = Representante legal (esta etapa é feita pela equipe)
representative-note = Para menores de 15 anos ou pessoas sob curatela, o pedido é feito por um representante legal (法定代理人). Verifique quem está presente e escolha com uma tecla de função.
representative-parent = pai ou mãe (親権者)
representative-guardian = tutor ou curador (後見人)
representative-other = outro representante (procuração)
representative-choose = Escolha quem faz o pedido e confirme. O cadastro não continua sem isso.
email-again = Digite o mesmo e-mail mais uma vez para confirmar.
email-mismatch = Os dois e-mails são diferentes. Digite o endereço de novo desde o início.
card-tip-case = - Tire o cartão da capa.
card-tip-metal = - Não o coloque sobre mesas de metal nem perto de metais.
card-tip-still = - Não o mova por cerca de 5 segundos, até a leitura terminar.
konbini-reset = A 署名用電子証明書のパスワード (senha do certificado de assinatura) também pode ser redefinida em terminais de lojas de conveniência, se o seu município oferecer, além da prefeitura.
reset-here = As senhas podem ser redefinidas neste balcão: fale com a equipe.
done-verdict-later = O resultado da verificação do certificado (Code 21/23 etc.) chega depois à equipe; se houver algum problema, a equipe entrará em contato.
diag-running = em execução
diag-not-running = parado
diag-reader = Leitor
diag-title-full = Diagnóstico do leitor
diag-no-reader = Nenhum leitor conectado
diag-card = Cartão
diag-kind = Tipo
diag-atr-decoded = ATR decodificado
# How the card talks to the reader, as the ATR says (`contact`, `contactless`, `unknown`).
diag-interface =
    { $interface ->
        [contact] com contato
        [contactless] sem contato
       *[unknown] desconhecida
    }
diag-historical = históricos
diag-known-atr = ATR conhecido do My Number Card
diag-protocol = Protocolo
diag-extended = APDU estendida
diag-extended-short = APDU est.
diag-extended-measured = APDU estendida (medida)
diag-yes = sim
diag-no = não
diag-yes-measured = sim (medido)
diag-no-measured = não (medido)
diag-last-apdu = Última APDU
diag-last-apdu-long = Ida e volta da última APDU
diag-rtt = RTT
diag-vendor = Fabricante
diag-model = Modelo
diag-firmware = Firmware
diag-vendor-model-firmware = Fabricante / modelo / firmware
diag-removals = Remoções do cartão
diag-removals-short = Remoções
diag-removals-session = Remoções do cartão nesta sessão
diag-last-error = Último erro
# `madoguchi diagnose`: the station's own configuration; `madoguchi outbox list`'s columns.
diag-config-file = configuração
diag-seal-kid = chave de selagem (kid)
diag-config-invalid = problema de configuração: { $path }, linha { $line } ({ $message }). A estação não inicia até que seja corrigido.
diag-config-unreadable = problema de configuração: não é possível ler { $path } ({ $error }).
diag-config-file-problem = problema de configuração: o arquivo de { $key } não pode ser usado ({ $error }).
outbox-col-id = id
outbox-col-status = status
outbox-col-attempts = tentativas
outbox-col-age = idade
outbox-col-next = próxima em
outbox-col-assurance = garantia
outbox-col-kid = chave (kid)
outbox-col-last-error = último erro
card-absent = nenhum
card-present = presente
card-mute = não responde (coloque de novo)
card-busy = em uso por outro programa
kind-my-number-card = My Number Card
kind-juki-card = cartão Juki
kind-not-jpki = cartão sem JPKI
readers-no-card = sem cartão
readers-card-mute = cartão não responde
readers-card-busy = cartão presente (em uso por outro programa)
readers-card-present = cartão presente
cli-last-try-hint = Para continuar, execute de novo com --last-try.
cli-no-pin = Nenhuma senha foi digitada. Nada foi enviado ao cartão.

# Reader health and the status command.
placement-suspect = O cartão está se movendo ou mal posicionado? Tire-o da capa e coloque-o no centro do leitor.
health-title = Tempos de ida e volta APDU (últimos { $n }, máx. { $max } ms)
health-counts = remoções { $removals } · reenvios { $resends } · erros de transmissão { $errors }
status-no-station = Nenhuma estação em execução responde ({ $path }: { $error }). A estação está rodando com este usuário?
status-too-many = A estação já atende { $max } clientes de suporte; tente novamente quando um deles terminar.
status-station-gone = A estação acompanhada parou ({ $path }).
status-label-station = estação
status-label-uptime = tempo ativo
status-label-step = etapa
status-label-reader = leitor
status-label-pcscd = pcscd
status-label-queue = não enviados
status-label-delivery = último envio
status-label-apdu = ida e volta APDU
status-label-errors = erros
# Keys: the help line's words and the panes' key lines (the keys themselves are in src/ui/keys.rs).
key-agree = aceitar e continuar
key-verify = conferir
key-next-citizen = próxima pessoa
key-yes = sim
key-no = não
key-citizen-lang = idioma
key-representative = representante (equipe)
key-pick = escolher
key-skip = pular
key-decline = não aceito
key-dont-wait = não esperar
key-quit-now = sair
key-continue = continuar
key-close = fechar
key-demo-card = cartão
pin-full = Não é possível digitar mais: a { $pin } tem no máximo { $max } caracteres.
email-character = Esse caractere não pode ser usado: digite letras, números e símbolos do endereço.
email-legacy = Este endereço tem pontos seguidos ou um ponto antes de "@" (endereços docomo e au de antes de 2009). Ele é aceito, mas alguns remetentes não conseguem entregar nele.
contact-optional = O e-mail é opcional: o cadastro pode continuar sem ele.
notice-declined = Não aceito: o cadastro terminou e nada foi registrado.
quit-question = Fechar a estação? Tudo o que foi digitado é apagado.
quit-saving = Salvando o registro… a estação fecha quando ele estiver salvo.
no-certificate-note-minors = Este cartão não tem certificado de assinatura (署名用電子証明書). Menores de 15 anos são cadastrados sem assinatura: o cartão é verificado com a senha do certificado de usuário (利用者証明用電子証明書, 4 dígitos). A partir dos 15 anos é preciso antes obter o certificado na prefeitura (市区町村の窓口).
no-certificate-note-unsigned = Este cartão não tem certificado de assinatura (署名用電子証明書): em vez de uma assinatura, o cartão é verificado com a senha do certificado de usuário (利用者証明用電子証明書, 4 dígitos).
finding-expired = Os certificados deste cartão expiraram (Code 21). Renove-os na prefeitura (市区町村の窓口) e faça o procedimento de novo. Nenhuma senha foi digitada: nenhuma tentativa foi usada.
health-title-short = Ida e volta APDU
diag-not-used = não usado (cartão de demonstração)
status-socket-failed = Não foi possível abrir o socket de status para suporte { $path } ({ $reason }): `madoguchi status` não alcança esta estação.
status-socket-reason =
    { $reason ->
        [in_use] outra estação responde neste socket
        [not_private] o diretório não é exclusivo deste usuário
        [permission] permissão negada
        [read_only] sistema de arquivos somente leitura
        [no_space] não há espaço no disco
        [not_found] o diretório não existe
       *[other] um erro inesperado; o log tem os detalhes
    }
status-socket-short = status ✕
status-pcscd-state =
    { $state ->
        [running] em execução
        [stopped] parado
        [not_used] não usado (demonstração)
       *[unknown] desconhecido
    }
status-uptime = { $secs } s
status-busy = em andamento
status-queue = { $pending } (revisar { $review })
status-crl = há { $hours } h{ $fresh ->
        [yes] {""}
       *[no] {" "}(antiga: não usada)
    }
status-apdu = { $n } APDUs, mediana { $median } µs, máx. { $max } µs
status-errors = { $n } (retiradas { $removals }, erros de comunicação { $transmit })
status-label-crl = CRL
# `madoguchi status` values, by code.
status-code =
    { $code ->
        [no_service] pcscd não está em execução
        [no_reader] sem leitor
        [unknown_reader] leitor não encontrado
        [no_card] sem cartão
        [card_removed] cartão retirado
        [card_reset] cartão reiniciado
        [card_unresponsive] o cartão não responde
        [reader_busy] leitor ocupado (outro programa)
        [timeout] tempo esgotado
        [extended_unsupported] sem APDU estendida
        [refused] recusado por segurança
        [communication] erro de comunicação
        [not_my_number_card] não é um Cartão My Number
        [wrong_pin] senha incorreta
        [pin_locked] senha bloqueada
        [security_status] senha não verificada
        [file_not_found] arquivo não encontrado
        [no_signing_certificate] sem certificado de assinatura
        [malformed_answer] resposta do cartão inválida
        [card_status] o cartão retornou erro
        [outbox_full] fila de registros cheia
        [outbox_storage] registro não salvo
        [outbox_seal] registro não criptografado
        [outbox_encode] registro não criado
        [pcscd_down] pcscd parou
        [reader_removed] leitor desconectado
        [card_mute] o cartão não responde
        [delivery_failed] não enviado, nova tentativa depois
        [accepted] aceito
        [queued] na fila
        [certificate_expired] expirado (Code 21)
        [certificate_revoked] revogado (Code 23)
        [signature_mismatch] assinatura não confere
        [unsupported_certificate] certificado não aceito
        [card_data_mismatch] cartão e certificado diferem (revisar)
        [invalid_request] registro inválido
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
auth-pin-why = Para confirmar que o cartão é autêntico, o cartão se identifica com o certificado de usuário (利用者証明用電子証明書), em vez de uma assinatura.
auth-pin-other = É outra senha, diferente da digitada antes (há quem tenha escolhido os mesmos dígitos). Para menores de 15 anos, é a senha definida pelo representante legal ao receber o cartão.
proving = Verificando o cartão com o certificado de usuário. Não o mova.
no-auth-certificate = Este cartão não tem certificado de usuário (利用者証明用電子証明書), por exemplo quando não foi pedido com o cartão. A prefeitura (市区町村の窓口) onde o titular mora emite o certificado.
verdict-auth-expired = Code 21: o certificado de usuário (利用者証明用電子証明書) expirou. Renove-o na prefeitura (市区町村の窓口) e faça o procedimento de novo.
verdict-auth-revoked = Code 23: o certificado de usuário (利用者証明用電子証明書) foi revogado. Renove-o na prefeitura (市区町村の窓口) e faça o procedimento de novo.
verdict-assurance = O servidor não pôde confirmar que o cartão comprovou este registro (assinatura ou certificado de usuário). Coloque o cartão e comece de novo; se acontecer de novo, contate o administrador.
verdict-record-time = O servidor recusou a data e hora do registro: o relógio deste posto está muito errado ou o registro é antigo demais. Verifique o relógio do posto e contate o administrador.
done-unauthenticated = Aceito apenas com os quatro dados básicos, sem verificar os certificados do cartão.
done-level = Prova do cartão (atendente): { $level } ({ $code })
level-signed = assinado com o certificado de assinatura
level-card-authenticated = verificado com o certificado de usuário
level-unauthenticated = cartão NÃO verificado
unauthenticated-allowed = registros sem verificação PERMITIDOS
