namespace Dkms.Cli.CommandLine;

/// <summary>
/// dkmsctl's options, one row each: the parser accepts exactly these, and the man page and the shell completions
/// are generated from them (with <see cref="Verbs.Verbs"/>).
/// </summary>
internal static class Options
{
    public static readonly IReadOnlyList<OptionSpec> All =
    [
        Dkms("-m", ["--module"], "module[/version]", ValueCompletion.Module, "The module (and version) to act on."),
        Dkms("-v", [], "version", ValueCompletion.None, "The module version to act on."),
        Dkms("-k", ["--kernelver"], "kernel[/arch]", ValueCompletion.Kernel, "A kernel release to act on; repeatable. Default: the running kernel."),
        Dkms("-a", ["--arch"], "arch", ValueCompletion.None, "The architecture, for each -k in order. Default: the machine's."),
        Dkms("-c", [], "dkms.conf", ValueCompletion.File, "Another dkms.conf to use instead of the module's own."),
        Dkms("--config", [], "kernel-.config", ValueCompletion.File, "The kernel .config to build against."),
        Dkms("--kernelsourcedir", [], "dir", ValueCompletion.Directory, "The kernel source or headers directory to build against."),
        Dkms("--archive", [], "tarball", ValueCompletion.File, "mktarball: the archive to write; ldtarball: the archive to load."),
        Dkms("--templatekernel", [], "kernel", ValueCompletion.Kernel, "Accepted as dkms does; no effect."),
        Dkms("--directive", [], "NAME=value", ValueCompletion.None, "Sets a dkms.conf directive from the command line; repeatable."),
        Dkms("--dkmstree", [], "dir", ValueCompletion.Directory, "The dkms tree (default /var/lib/dkms)."),
        Dkms("--sourcetree", [], "dir", ValueCompletion.Directory, "The source tree (default /usr/src)."),
        Dkms("--installtree", [], "dir", ValueCompletion.Directory, "The installed-modules tree (default /lib/modules)."),
        Dkms("-j", [], "number", ValueCompletion.None, "Parallel make jobs (default: the number of CPUs)."),
        Dkms("-q", ["--quiet"], null, ValueCompletion.None, "Print nothing but errors."),
        Dkms("--force", [], null, ValueCompletion.None, "Act even where dkms would refuse (an existing build, a newer module)."),
        Dkms("--force-version-override", [], null, ValueCompletion.None, "Install over a module of a newer version."),
        Dkms("--all", [], null, ValueCompletion.None, "Every kernel the module is built or installed for."),
        Dkms("--binaries-only", [], null, ValueCompletion.None, "mktarball: only the built modules, no source."),
        Dkms("--source-only", [], null, ValueCompletion.None, "mktarball: only the source, no built modules."),
        Dkms("--rpm_safe_upgrade", [], null, ValueCompletion.None, "Accepted as dkms does (package upgrades)."),
        Dkms("--verbose", [], null, ValueCompletion.None, "Show the commands run and their output."),
        Dkms("--no-depmod", [], null, ValueCompletion.None, "Do not run depmod after installing or uninstalling."),
        Dkms("--symlink-modules", [], null, ValueCompletion.None, "Trace every program run (make, hooks, depmod, sign-file) on stderr: where, with what, and how it ended. dkms traces its script (set -x)."),
        Dkms("--modprobe-on-install", [], null, ValueCompletion.None, "Accepted as dkms does; modules are never loaded by dkmsctl."),
        Dkms("--debug", [], null, ValueCompletion.None, "Accepted as dkms does."),
        Dkms("-V", ["--version"], null, ValueCompletion.None, "Print the version (dkmsctl: also the build sandbox in effect)."),
        Dkms("-h", ["--help"], null, ValueCompletion.None, "Print the usage."),
        Ours("--framework-conf", [], "file", ValueCompletion.File, "The framework.conf to read (default /etc/dkms/framework.conf)."),
        Ours("--socket", [], "path", ValueCompletion.File, $"dkmsd's socket (default $DKMSD_SOCKET, else {Protocol.DkmsContract.DefaultSocket})."),
        Ours("--offline", [], null, ValueCompletion.None, "Run in this process, without dkmsd (chroots, image builds); also DKMSCTL_OFFLINE=1."),
        Ours("--json", [], null, ValueCompletion.None, "status, jobs: print JSON."),
        Ours("-f", ["--follow"], null, ValueCompletion.None, "logs: follow a running job's log."),
        Ours("--wait", [], null, ValueCompletion.None, "cancel: wait until the job has ended."),
        Deprecated("--no-initrd"),
        Deprecated("--no-clean-kernel"),
        Deprecated("--no-prepare-kernel"),
    ];

    private static readonly Dictionary<string, OptionSpec> BySpelling =
        All.SelectMany(o => o.Spellings.Select(s => (s, o))).ToDictionary(p => p.s, p => p.o, StringComparer.Ordinal);

    /// <summary>The option <paramref name="spelling"/> names (any of its spellings), or null.</summary>
    public static OptionSpec? Find(string spelling) => BySpelling.GetValueOrDefault(spelling);

    private static OptionSpec Dkms(string name, string[] aliases, string? value, ValueCompletion completes, string help) =>
        new(name, aliases, value, completes, help, OptionOrigin.Dkms);

    private static OptionSpec Ours(string name, string[] aliases, string? value, ValueCompletion completes, string help) =>
        new(name, aliases, value, completes, help, OptionOrigin.Dkmsctl);

    private static OptionSpec Deprecated(string name) =>
        new(name, [], null, ValueCompletion.None, "Accepted as dkms does, with a deprecation warning.", OptionOrigin.Deprecated);
}
