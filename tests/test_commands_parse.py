"""Reading docker command lines: docker CLI 29.7's usage errors, flags and arguments.

Expected texts come from docker/cli v29: ``cli/cobra.go`` (``FlagErrorFunc``, usage
template), ``cli/required.go``, ``cmd/docker/docker.go`` and pflag's ``errors.go``.
"""

import pytest

from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import parse, split, substitute_tokens

TOKENS = ("SWMTKN-1-" + "a" * 50 + "-" + "w" * 25, "SWMTKN-1-" + "a" * 50 + "-" + "m" * 25)


def read(line: str):
    return parse(split(line))


def failure(line: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        read(line)
    return info.value


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("docker swarm join --token $(docker swarm join-token -q worker) 10.0.0.1:2377",
         f"docker swarm join --token {TOKENS[0]} 10.0.0.1:2377"),
        ("docker swarm join --token $(docker swarm join-token manager -q) m1:2377",
         f"docker swarm join --token {TOKENS[1]} m1:2377"),
        ("docker swarm join --token $( docker swarm join-token --quiet worker ) m1",
         f"docker swarm join --token {TOKENS[0]} m1"),
        ("docker node ls", "docker node ls"),
    ],
)
def test_join_token_substitution(line, expected):
    assert substitute_tokens(line, TOKENS) == expected


def test_substitution_without_a_swarm_leaves_nothing():
    line = "docker swarm join --token $(docker swarm join-token -q worker) m1:2377"
    assert substitute_tokens(line, None) == "docker swarm join --token  m1:2377"


def test_flags_and_arguments():
    p = read("docker stack deploy -c a.yml --compose-file=b.yml,c.yml --prune app")
    assert p.command.path == "docker stack deploy"
    assert p.args == ("app",)
    assert p.values["compose-file"] == ["a.yml", "b.yml", "c.yml"]
    assert p.values["prune"] is True
    assert p.values["detach"] is True  # docker's default for stack deploy
    assert p.changed == {"compose-file", "prune"}


def test_flags_after_arguments_and_combined_shorthands():
    p = read("docker node ps myvm1 -q --no-trunc")
    assert p.args == ("myvm1",)
    assert p.values["quiet"] and p.values["no-trunc"]
    p = read("docker swarm leave -f")
    assert p.values["force"] is True
    p = read("docker stack deploy -cstack.yml -d=false app")
    assert p.values["compose-file"] == ["stack.yml"] and p.values["detach"] is False


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ("docker node list", "docker node ls"),
        ("docker node remove n1", "docker node rm"),
        ("docker stack up -c x.yml s", "docker stack deploy"),
        ("docker stack down s", "docker stack rm"),
        ("docker service remove web", "docker service rm"),
    ],
)
def test_aliases(line, path):
    assert read(line).command.path == path


def usage_tail(use_line: str, path: str) -> str:
    """What docker 29 appends to every flag error (cli/cobra.go FlagErrorFunc)."""
    return f"\n\nUsage:  {use_line}\n\nRun '{path} --help' for more information"


def test_bool_and_uint_values():
    assert read("docker swarm leave --force=false").values["force"] is False
    assert read("docker service update --replicas 3 web").values["replicas"] == 3
    # --replicas is a Uint64Opt: strconv.ParseUint(s, 0, 64) reads Go's base prefixes
    assert read("docker service update --replicas 0x10 web").values["replicas"] == 16
    assert read("docker service update --replicas=010 web").values["replicas"] == 8
    err = failure("docker swarm leave --force=maybe")
    assert err.exit_code == 125
    assert err.message == (
        'invalid argument "maybe" for "-f, --force" flag: strconv.ParseBool: parsing "maybe": '
        "invalid syntax" + usage_tail("docker swarm leave [OPTIONS]", "docker swarm leave")
    )
    err = failure("docker service update --replicas three web")
    assert err.message == (
        'invalid argument "three" for "--replicas" flag: strconv.ParseUint: parsing "three": '
        "invalid syntax"
        + usage_tail("docker service update [OPTIONS] SERVICE", "docker service update")
    )
    # a value flag takes the next word even when it looks like a flag
    err = failure("docker service update --replicas -1 web")
    assert err.message.startswith('invalid argument "-1" for "--replicas" flag: ')
    err = failure("docker service update --replicas 18446744073709551616 web")
    assert err.message.startswith(
        'invalid argument "18446744073709551616" for "--replicas" flag: strconv.ParseUint: '
        'parsing "18446744073709551616": value out of range\n\nUsage:  '
    )


def test_unknown_flags_exit_125():
    err = failure("docker node ls --foo")
    assert err.exit_code == 125
    assert err.message == "unknown flag: --foo" + usage_tail(
        "docker node ls [OPTIONS]", "docker node ls")
    err = failure("docker node ls -x")
    assert err.message == "unknown shorthand flag: 'x' in -x" + usage_tail(
        "docker node ls [OPTIONS]", "docker node ls")
    # pflag names the letters it has not read yet, not the whole word
    err = failure("docker node ls -qx")
    assert err.message.startswith("unknown shorthand flag: 'x' in -x\n\n")
    err = failure("docker swarm join m1:2377 --token")
    assert err.message == "flag needs an argument: --token" + usage_tail(
        "docker swarm join [OPTIONS] HOST:PORT", "docker swarm join")
    err = failure("docker stack deploy app -c")
    assert err.message == "flag needs an argument: 'c' in -c" + usage_tail(
        "docker stack deploy [OPTIONS] STACK", "docker stack deploy")
    # before any command, the flag is the root command's
    err = failure("docker --foo node ls")
    assert (err.message, err.exit_code) == ("unknown flag: --foo" + usage_tail(
        "docker [OPTIONS] COMMAND [ARG...]", "docker"), 125)


def test_flags_before_the_subcommand_belong_to_the_group():
    # cobra's Traverse: "-q" is read as a flag of "docker node" taking "ls" as its value
    err = failure("docker node -q ls")
    assert (err.message, err.exit_code) == (
        "unknown shorthand flag: 'q' in -q" + usage_tail("docker node", "docker node"), 125)
    # a flag that needs no value lets the subcommand be found; the group then fails to
    # read the flag and cobra reports pflag's bare text, with exit status 1
    err = failure("docker node -qa ls")
    assert (err.message, err.exit_code) == ("unknown shorthand flag: 'q' in -qa", 1)
    err = failure("docker service --foo=1 ls")
    assert (err.message, err.exit_code) == ("unknown flag: --foo", 1)
    # the stack group declares "stack [OPTIONS]" as its use line
    err = failure("docker stack --foo")
    assert err.message == "unknown flag: --foo" + usage_tail(
        "docker stack [OPTIONS]", "docker stack")


def test_argument_counts():
    err = failure("docker node update")
    assert err.exit_code == 1
    assert err.message == (
        "docker: 'docker node update' requires 1 argument\n\n"
        "Usage:  docker node update [OPTIONS] NODE\n\n"
        "Run 'docker node update --help' for more information"
    )
    assert failure("docker swarm init extra").message == (
        "docker: 'docker swarm init' accepts no arguments\n\n"
        "Usage:  docker swarm init [OPTIONS]\n\n"
        "Run 'docker swarm init --help' for more information"
    )
    # RequiresMinArgs ends with "See ..." where the others say "Run ..." (cli/required.go)
    assert failure("docker service ps").message == (
        "docker: 'docker service ps' requires at least 1 argument\n\n"
        "Usage:  docker service ps [OPTIONS] SERVICE [SERVICE...]\n\n"
        "See 'docker service ps --help' for more information"
    )
    assert failure("docker stack services a b").message.startswith(
        "docker: 'docker stack services' requires 1 argument\n\n"
    )
    # flag errors come before the argument count
    assert failure("docker node update --foo").exit_code == 125


def test_unknown_commands():
    err = failure("docker foo")
    assert (err.message, err.exit_code) == (
        "docker: unknown command: docker foo\n\nRun 'docker --help' for more information", 1)
    err = failure("docker node foo")
    assert (err.message, err.exit_code) == (
        "docker: unknown command: docker node foo\n\n"
        "Usage:  docker node\n\n"
        "Run 'docker node --help' for more information", 1)
    assert failure("docker stack foo bar").message == (
        "docker: unknown command: docker stack foo\n\n"
        "Usage:  docker stack [OPTIONS]\n\n"
        "Run 'docker stack --help' for more information")
    # "--" ends the flags: "ls" is then an argument of the group, not its subcommand
    assert failure("docker node -- ls").message.startswith(
        "docker: unknown command: docker node ls\n")
    assert failure("kubectl get pods").exit_code == 127


def test_groups_and_docker_alone_show_their_help_on_stderr():
    err = failure("docker node")
    assert (err.exit_code, err.output) == (0, ())
    assert err.message == (
        "Usage:  docker node COMMAND\n\nManage Swarm nodes\n\nCommands:\n"
        "  demote      Demote one or more nodes from manager in the swarm\n"
        "  inspect     Display detailed information on one or more nodes\n"
        "  ls          List nodes in the swarm\n"
        "  promote     Promote one or more nodes to manager in the swarm\n"
        "  ps          List tasks running on one or more nodes, defaults to current node\n"
        "  rm          Remove one or more nodes from the swarm\n"
        "  update      Update a node\n\n"
        "Run 'docker node COMMAND --help' for more information on a command."
    )
    err = failure("docker")
    assert err.exit_code == 0
    # root commands are padded to cobra's 11 columns plus one (rpad of "name ")
    assert "\nSwarm Commands:\n  config      Manage Swarm configs\n" in err.message
    assert err.message.startswith("Usage:  docker [OPTIONS] COMMAND\n\n")
    assert err.message.endswith(
        "\n\nFor more help on how to use Docker, head to https://docs.docker.com/go/guides/")


def test_global_flags():
    err = failure("docker -D node ls")
    assert (err.message, err.exit_code) == (
        "swarmsim: docker's global flag --debug is not simulated", 1)
    err = failure("docker --help")
    assert (err.exit_code, err.message) == (0, "")
    assert err.output[0] == "Usage:  docker [OPTIONS] COMMAND"
    # docker reads its global flags with a flag set of its own, whose pflag notices go to
    # stderr; the help flag it sets is the one the commands below then see
    err = failure("docker -h node")
    assert (err.exit_code, err.message) == (0, "Flag shorthand -h has been deprecated, use --help")
    assert err.output[0] == "Usage:  docker node COMMAND"


def test_docker_commands_swarmsim_does_not_simulate():
    assert failure("docker swarm ca").message == (
        "swarmsim: 'docker swarm ca' is not simulated")
    assert failure("docker run nginx").message.startswith("swarmsim: 'docker run' is not simulated")


def test_help_goes_to_stdout():
    err = failure("docker node ls --help")
    assert err.exit_code == 0 and err.message == ""
    assert err.output[:5] == (
        "Usage:  docker node ls [OPTIONS]", "", "List nodes in the swarm", "", "Aliases:")
    # -h is a deprecated shorthand: pflag's notice comes first, on stdout (cobra prints
    # the flag set's messages with the command's output writer)
    err = failure("docker node ls -h")
    assert err.output[:2] == (
        "Flag shorthand -h has been deprecated, use --help", "Usage:  docker node ls [OPTIONS]")
    # flags are all read before help is looked at
    assert failure("docker node ls --help --foo").exit_code == 125
    # help given to the group before the subcommand is the subcommand's help
    assert failure("docker node --help ls").output[0] == "Usage:  docker node ls [OPTIONS]"
    assert failure("docker node --help").output[0] == "Usage:  docker node COMMAND"
    assert failure("docker node foo --help").output[0] == "Usage:  docker node COMMAND"


def test_help_topics():
    assert failure("docker help").output[0] == "Usage:  docker [OPTIONS] COMMAND"
    assert failure("docker help service").output[0] == "Usage:  docker service COMMAND"
    err = failure("docker help service scale")
    assert err.output[0] == "Usage:  docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]"
    assert failure("docker help node bogus").message == "unknown help topic: bogus"
    assert failure("docker help bogus").message == "unknown help topic: bogus"


def test_quotes_are_shell_quotes():
    p = read("docker node update --label-add 'zone=eu west' n1")
    assert p.values["label-add"] == ["zone=eu west"]
    err = failure("docker node update --label-add 'zone n1")
    assert err.message.startswith("swarmsim: cannot read the command line")


def test_stack_keeps_a_deprecated_orchestrator_flag():
    # cli/command/stack/cmd.go: a hidden persistent flag, MarkDeprecated("option will be
    # ignored"); pflag's notice goes to the command's output, stdout
    notice = "Flag --orchestrator has been deprecated, option will be ignored"
    for line in ("docker stack ls --orchestrator swarm", "docker stack --orchestrator swarm ls",
                 "docker stack --orchestrator=all ls"):
        p = read(line)
        assert (p.command.path, p.notices, p.changed) == ("docker stack ls", (notice,), set())
    err = failure("docker stack --orchestrator swarm ps")  # printed before the usage error
    assert (err.output, err.exit_code) == ((notice,), 1)
    assert failure("docker node ls --orchestrator swarm").exit_code == 125  # stack's only
