"""A real Dovecot IMAP server for the tests: its own config, users, Maildirs and certificate in a temp dir.

Debian's ``dovecot-imapd`` must be installed (``make test`` installs it). The server runs as the user
running the tests, listens on free loopback ports (IMAPS and LMTP) and is stopped at the end.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import secrets
import shutil
import smtplib
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# IMAP users made for one test session; each test takes its own.
ACCOUNTS = 200


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CONFIG = """
instance_name = aftersales-test-{imaps_port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = no
first_valid_uid = {uid}
first_valid_gid = {gid}
default_login_user = {login_user}
default_internal_user = {user}
default_internal_group = {group}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
lmtp_save_to_detail_mailbox = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
  unix_listener lmtp {{
    mode = 0600
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service pop3-login {{
  chroot =
}}
service submission-login {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
    mode = 0600
  }}
  unix_listener stats-writer {{
    user = {user}
    mode = 0600
  }}
}}
"""


@dataclass
class Dovecot:
    root: Path
    imaps_port: int
    lmtp_port: int
    process: subprocess.Popen[bytes]
    accounts: list[tuple[str, str]]
    host: str = "127.0.0.1"

    def account_take(self) -> tuple[str, str]:
        """Return an IMAP user nobody used yet, with its password (each has an empty INBOX)."""
        return self.accounts.pop()

    def imap(self, username: str, password: str) -> imaplib.IMAP4_SSL:
        """Return a logged-in IMAPS connection (the test certificate is self-signed: no verification)."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = imaplib.IMAP4_SSL(self.host, self.imaps_port, ssl_context=context, timeout=10)
        connection.login(username, password)
        return connection

    def append(self, username: str, password: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in a user's folder with IMAP APPEND, as a mail client or a server-side filter would."""
        connection = self.imap(username, password)
        try:
            status, data = connection.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
            assert status == "OK", data
        finally:
            connection.logout()

    def deliver(self, recipient: str, raw: bytes, *, sender: str | None = None) -> None:
        """Deliver a message to a user through Dovecot's LMTP, as the mail server would (adds Return-Path).

        The envelope sender defaults to the From address; "" is the null sender of bounces.
        """
        if sender is None:
            sender = parseaddr(str(BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)["From"]))[1]
        with smtplib.LMTP(self.host, self.lmtp_port, timeout=10) as lmtp:
            lmtp.sendmail(sender, [recipient], raw)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def certificate_make(root: Path) -> None:
    """Write a self-signed certificate for 127.0.0.1 (an EC key: no Diffie-Hellman parameters needed)."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(root / "key.pem"),
            "-out",
            str(root / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def dovecot_start(root: Path) -> Dovecot:
    """Start Dovecot in the foreground on free loopback ports and wait until IMAPS answers."""
    if not os.path.exists(DOVECOT):
        raise RuntimeError("Debian's dovecot-imapd is not installed (make test installs it).")
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    certificate_make(root)
    # Users are written before the start: Dovecot re-reads a changed passwd file at most once a second.
    accounts = [(f"desk{number}", secrets.token_urlsafe(12)) for number in range(ACCOUNTS)]
    (root / "passwd").write_text("".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in accounts))
    uid, gid = os.getuid(), os.getgid()
    login_user = internal_user = pwd.getpwuid(uid).pw_name
    internal_group = grp.getgrgid(gid).gr_name
    if uid == 0:
        # Dovecot refuses to run its login and mail processes as root: use the users Debian's package made.
        login_user, internal_user = "dovenull", "dovecot"
        account = pwd.getpwnam(internal_user)
        uid, gid, internal_group = account.pw_uid, account.pw_gid, grp.getgrgid(account.pw_gid).gr_name
        root.chmod(0o755)
        for folder in ("mail", "home"):
            os.chown(root / folder, uid, gid)
    values = {
        "root": root,
        "uid": uid,
        "gid": gid,
        "login_user": login_user,
        "user": internal_user,
        "group": internal_group,
        "imaps_port": free_port(),
        "lmtp_port": free_port(),
    }
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(**values))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = Dovecot(
        root=root, imaps_port=int(values["imaps_port"]), lmtp_port=int(values["lmtp_port"]), process=process, accounts=accounts
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"Dovecot stopped at start:\n{output}\n{server.log()}")
        try:
            with socket.create_connection((server.host, server.imaps_port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"Dovecot did not answer on port {server.imaps_port}:\n{server.log()}")
