using Dkms.Conformance.Tests.Host;

namespace Dkms.Conformance.Tests.Runs;

/// <summary>One of the two implementations under comparison and how to point it at a <see cref="TempTrees"/>.</summary>
internal sealed class DkmsTool
{
    /// <summary>Debian's dkms, the reference.</summary>
    public const string ReferencePath = "/usr/sbin/dkms";

    private readonly IReadOnlyList<string> _prefix;
    private readonly bool _isReference;

    private DkmsTool(string label, string fileName, IReadOnlyList<string> prefix, bool isReference)
    {
        Label = label;
        FileName = fileName;
        _prefix = prefix;
        _isReference = isReference;
    }

    public string Label { get; }

    public string FileName { get; }

    /// <summary>The reference must never run outside the shield; ours runs inside it when it is available.</summary>
    public bool RequiresShield => _isReference;

    public static DkmsTool Ours(DkmsctlBinary binary) => new("dkmsctl", binary.FileName, binary.PrefixArguments, isReference: false);

    public static DkmsTool? Reference() => File.Exists(ReferencePath) ? new("dkms", ReferencePath, [], isReference: true) : null;

    /// <summary>The arguments for <paramref name="action"/> run against <paramref name="trees"/>.</summary>
    public IReadOnlyList<string> Arguments(TempTrees trees, params string[] action)
    {
        var args = new List<string>(_prefix);
        args.AddRange(action);
        args.AddRange(["--dkmstree", trees.DkmsTree, "--sourcetree", trees.SourceTree, "--installtree", trees.InstallTree]);
        if (!_isReference)
        {
            // dkms 3.0.10 has no such option and reads /etc/dkms/framework.conf (read-only in the shield).
            args.AddRange(["--framework-conf", trees.FrameworkConf]);
        }

        return args;
    }

    /// <summary>The arguments that build and install <paramref name="module"/>/<paramref name="version"/> for the kernel.</summary>
    public IReadOnlyList<string> InstallArguments(TempTrees trees, string module, string version, TestKernel kernel, int jobs)
    {
        var jobsText = jobs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return _isReference
            // The reference looks for headers at /lib/modules/<k>/build whatever --installtree says (REFERENCE.md [202]),
            // and its depmod would run on /lib/modules: name the headers and skip depmod.
            ? Arguments(trees, "install", "-m", module, "-v", version, "-k", kernel.Version, "-j", jobsText,
                "--kernelsourcedir", kernel.HeadersDir, "--no-depmod")
            // Ours finds the headers through <installtree>/<k>/build and runs depmod -b on the install tree.
            : Arguments(trees, "install", "-m", module, "-v", version, "-k", kernel.Version, "-j", jobsText);
    }
}
