#!/usr/bin/env bash
# Records the TPM verifier's unit-test fixtures from a real software TPM (Debian: swtpm,
# swtpm-tools, tpm2-tools). Run from the repo root after `npx tsc -b` (the credential blob is made
# by our own makeCredential, then activated by the TPM):
#   packages/coordinator/src/trust/hardware/tpm/__fixtures__/make-fixtures.sh
# Writes into this directory: ca.pem (the EK's issuing CA), other-ca.pem (an unrelated CA),
# ek.der, ak.pub (TPM2B_PUBLIC), quote.msg (TPMS_ATTEST), quote.sig (TPMT_SIGNATURE),
# subject.txt (the quoted bytes; extraData = SHA-256 of them), and credential.json (a
# MakeCredential seed + secret and what TPM2_ActivateCredential recovered from it).
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$out/../../../../../../.." && pwd)"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

make_ca() { # $1: dir → a swtpm_setup config whose local CA lives in $1
  mkdir -p "$1/ca" "$1/state"
  printf 'statedir = %s\nsigningkey = %s\nissuercert = %s\ncertserial = %s\n' "$1/ca" "$1/ca/signkey.pem" "$1/ca/issuercert.pem" "$1/ca/certserial" >"$1/localca.conf"
  printf 'create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = %s\ncreate_certs_tool_options = /etc/swtpm-localca.options\nactive_pcr_banks = sha256\n' "$1/localca.conf" >"$1/setup.conf"
  swtpm_setup --tpm2 --tpm-state "$1/state" --create-ek-cert --config "$1/setup.conf" --overwrite >/dev/null
}

make_ca "$work/a"
make_ca "$work/b"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
swtpm socket --tpm2 --tpmstate dir="$work/a/state" --flags not-need-init,startup-clear \
  --server type=tcp,bindaddr=127.0.0.1,port="$port" --ctrl type=tcp,bindaddr=127.0.0.1,port=$((port + 1)) &
pid=$!
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"
for _ in $(seq 1 50); do tpm2_getcap properties-fixed >/dev/null 2>&1 && break; sleep 0.1; done

cd "$work"
tpm2_nvread 0x01c00002 -o ek.der 2>/dev/null
tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -n ak.name -f tss >/dev/null
tpm2_flushcontext -t
printf 'darkbloom tpm fixture subject' >subject.txt
tpm2_quote -c ak.ctx -l sha256:0 -q "$(sha256sum subject.txt | cut -d' ' -f1)" -m quote.msg -s quote.sig -g sha256 >/dev/null
tpm2_flushcontext -t

# Credential activation of a blob made by our TypeScript makeCredential (fixed seed and secret).
seed=$(head -c 32 /dev/urandom | xxd -p -c 64)
secret=$(head -c 32 /dev/urandom | xxd -p -c 64)
node --input-type=module -e "
  import { X509Certificate } from 'node:crypto';
  import { readFileSync, writeFileSync } from 'node:fs';
  import { makeCredential } from '$root/packages/coordinator/dist/trust/hardware/tpm/make-credential.js';
  import { objectName, parsePublic } from '$root/packages/coordinator/dist/trust/hardware/tpm/structures.js';
  const ek = new X509Certificate(readFileSync('ek.der'));
  const name = objectName(parsePublic(readFileSync('ak.pub')));
  const c = makeCredential(ek.publicKey, name, Buffer.from('$secret', 'hex'), Buffer.from('$seed', 'hex'));
  // tpm2-tools credential file: magic, version, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
  writeFileSync('cred.blob', Buffer.concat([Buffer.from('badcc0de00000001', 'hex'), c.idObject, c.encryptedSecret]));
  writeFileSync('id-object.hex', Buffer.from(c.idObject).toString('hex'));
"
tpm2_startauthsession --policy-session -S session.ctx
tpm2_policysecret -S session.ctx -c e >/dev/null
tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred.blob -o activated.bin -P "session:session.ctx" >/dev/null
tpm2_flushcontext session.ctx
tpm2_flushcontext -t
printf '{"seed":"%s","secret":"%s","id_object":"%s","activated":"%s"}\n' "$seed" "$secret" "$(cat id-object.hex)" "$(xxd -p -c 64 activated.bin)" >"$out/credential.json"

cp ek.der ak.pub quote.msg quote.sig subject.txt "$out/"
cp a/ca/issuercert.pem "$out/ca.pem"
cp b/ca/issuercert.pem "$out/other-ca.pem"
echo "fixtures written to $out"
