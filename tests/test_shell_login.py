"""``docker login`` / ``docker logout`` as docker 29's CLI runs them: cli/command/
registry/login.go (runLogin, verifyLoginFlags, verifyLoginOptions, loginUser),
cli/command/registry.go (PromptUserForCredentials), internal/oauth/manager/manager.go
(LoginDevice: Docker Hub's web-based device-code login), internal/tui/note.go (the Info
note: `` Info -> `` without a terminal, ``i Info → `` on one) and logout.go."""

from __future__ import annotations

import re

from swarmsim.shell import Session
from swarmsim.shell.login_cmd import ACTIVATE, device_code
from tests.shell_helpers import run_line


def _terminal(answers):
    s = Session.start()
    asked = []

    def ask(text, hidden):
        asked.append((text, hidden))
        return answers.pop(0)

    s.ask = ask
    return s, asked


def test_docker_hub_without_credentials_uses_the_web_based_login():
    s, asked = _terminal(["gordon"])
    out, err, code = run_line(s, "docker login")
    assert (out, err, code) == ("Login Succeeded\n", "", 0)
    (prompt, hidden), = asked  # LoginDevice's text is on screen while the login waits
    assert not hidden and prompt.endswith("swarmsim: no browser here; the Docker ID that "
                                          "signs in: ")
    m = re.fullmatch(
        r"\nUSING WEB-BASED LOGIN\n"
        r"\ni Info → To sign in with credentials on the command line, use 'docker login -u "
        r"<username>'\n {9}\n"
        r"\nYour one-time device confirmation code is: ([B-Z]{4}-[B-Z]{4})\n"
        r"Press ENTER to open your browser or submit your device code here: "
        r"https://login\.docker\.com/activate\n"
        r"\nWaiting for authentication in the browser…\n"
        r"swarmsim: no browser here; the Docker ID that signs in: ", prompt)
    assert m and not set(m.group(1)) & set("AEIOU")
    assert s.sim.images.logins["localhost"]["docker.io"] == "gordon"
    # logged in: the stored credentials are used, with docker's note
    out, err, code = run_line(s, "docker login")
    assert (out, code) == ("Login Succeeded\n", 0)
    assert err == ("Authenticating with existing credentials... [Username: gordon]\n"
                   "\ni Info → To login with a different account, run 'docker logout' "
                   "followed by 'docker login'\n\n\n")
    out, err, code = run_line(s, "docker logout")
    assert (out, err, code) == ("Removing login credentials for https://index.docker.io/v1/\n",
                                "", 0)
    assert ACTIVATE == "https://login.docker.com/activate"
    assert device_code("x") == device_code("x") and re.fullmatch(r"\w{4}-\w{4}",
                                                                  device_code("y"))


def test_username_alone_prompts_for_the_password_with_the_pat_note():
    s, asked = _terminal(["s3cret"])
    out, err, code = run_line(s, "docker login -u gordon")
    assert (out, err, code) == ("Login Succeeded\n", "", 0)
    (prompt, hidden), = asked
    assert hidden and prompt == (
        "\ni Info → A Personal Access Token (PAT) can be used instead.\n"
        "         To create a PAT, visit https://app.docker.com/settings\n"
        "         \n         \nPassword: ")


def test_password_stdin_and_the_flag_checks():
    s = Session.start()  # lines from a pipe
    out, err, code = run_line(s, "echo s3cret | docker login -u gordon --password-stdin")
    assert (out, err, code) == ("Login Succeeded\n", "", 0)
    for line, want in (
            ("echo x | docker login --password-stdin",
             "the --password-stdin option requires --username to be set"),
            ("echo x | docker login -u g -p y --password-stdin",
             "conflicting options: cannot specify both --password and --password-stdin"),
            ("docker login -u g --password-stdin", "password is empty"),
            ("docker login -u '' -p x", "username is empty")):
        assert run_line(s, line)[1:] == (want + "\n", 1), line
    # stored credentials are used even without a terminal
    _, err, code = run_line(s, "docker login")
    assert code == 0 and err.startswith("Authenticating with existing credentials... "
                                        "[Username: gordon]\n\n Info -> To login with")
    run_line(s, "docker logout")
    _, err, code = run_line(s, "docker login")
    assert (err, code) == ("error: cannot perform an interactive login from a non-TTY "
                           "device\n", 1)
    out, err, code = run_line(s, "docker logout docker.io")
    assert out == "Removing login credentials for docker.io\n"  # the name given is shown
