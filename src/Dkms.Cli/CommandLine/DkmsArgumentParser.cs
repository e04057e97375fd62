using System.Globalization;

namespace Dkms.Cli.CommandLine;

/// <summary>
/// dkms's grammar (DKMS-SPEC §2): <c>dkms [action] [options] [module/version | source dir | dkms.conf | tarball]</c>.
/// Long options take <c>--opt=value</c> or <c>--opt value</c>; short options need a separate value.
/// </summary>
/// <remarks>Hand-written rather than System.CommandLine: dkms classifies positional words by what exists
/// on disk and rejects <c>-j4</c>, which a general parser cannot express.</remarks>
internal static class DkmsArgumentParser
{
    public static DkmsArguments Parse(IReadOnlyList<string> args)
    {
        var result = new DkmsArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith('-') && arg.Length > 1)
            {
                string name = arg, value = string.Empty;
                var hasInline = false;
                if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 2)
                {
                    name = arg[..eq];
                    value = arg[(eq + 1)..];
                    hasInline = true;
                }

                var option = Options.Find(name);
                if (option is { Value: not null })
                {
                    if (!hasInline)
                    {
                        if (i + 1 >= args.Count)
                        {
                            throw new UsageException(2, $"Option {name} requires an argument.");
                        }

                        value = args[++i];
                    }

                    SetValue(result, option.Name, value, name);
                    continue;
                }

                if (hasInline || option is null || !SetFlag(result, option))
                {
                    throw new UsageException(2, Core.Output.DkmsMessages.Default.UnknownOption(arg)) { Words = m => m.UnknownOption(arg) };
                }

                continue;
            }

            Positional(result, arg);
        }

        result.Action = result.Actions.FirstOrDefault();
        return result;
    }

    private static void SetValue(DkmsArguments r, string name, string value, string option)
    {
        if (value.Length == 0)
        {
            throw new UsageException(2, $"Option {option} needs a value.");
        }

        switch (name)
        {
            case "-m":
                var slash = value.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    r.Module = value[..slash];
                    r.Version = value[(slash + 1)..];
                }
                else
                {
                    r.Module = value;
                }

                break;
            case "-v": r.Version = value; break;
            case "-k":
                var ka = value.IndexOf('/', StringComparison.Ordinal);
                r.Kernels.Add(ka >= 0 ? value[..ka] : value);
                r.KernelArches.Add(ka >= 0 ? value[(ka + 1)..] : null);
                break;
            case "-a": r.Arches.Add(value); break;
            case "-c": r.ConfFile = Path.GetFullPath(value); break;
            case "--config": r.KernelConfig = Path.GetFullPath(value); break;
            case "--kernelsourcedir": r.KernelSourceDir = Path.GetFullPath(value); break;
            case "--archive": r.Archive = value; break;
            case "--templatekernel": r.TemplateKernel = value; break;
            case "--dkmstree": r.DkmsTree = Path.GetFullPath(value); break;
            case "--sourcetree": r.SourceTree = Path.GetFullPath(value); break;
            case "--installtree": r.InstallTree = Path.GetFullPath(value); break;
            case "--framework-conf": r.FrameworkConf = Path.GetFullPath(value); break;
            case "--socket": r.Socket = Path.GetFullPath(value); break;
            case "--directive":
                if (!value.Contains('=', StringComparison.Ordinal))
                {
                    throw new UsageException(2, $"Option {option} takes NAME=value, not '{value}'.");
                }

                r.Directives.Add(value);
                break;
            case "-j":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var jobs))
                {
                    throw new UsageException(2, $"Option {option} takes a number, not '{value}'.");
                }

                r.Jobs = jobs;
                break;
            default:
                throw new InvalidOperationException($"Options has {name} with a value the parser does not set.");
        }
    }

    private static bool SetFlag(DkmsArguments r, OptionSpec option)
    {
        switch (option.Name)
        {
            case "--all": r.All = true; break;
            case "--force": r.Force = true; break;
            case "--force-version-override": r.ForceVersionOverride = true; break;
            case "--no-depmod": r.NoDepmod = true; break;
            case "--verbose": r.Verbose = true; break;
            case "-q": r.Quiet = true; break;
            case "--json": r.Json = true; break;
            case "--offline": r.Offline = true; break;
            case "-f": r.Follow = true; break;
            case "--wait": r.Wait = true; break;
            case "-h": r.Help = true; break;
            case "-V": r.ShowVersion = true; break;
            case "--binaries-only": r.BinariesOnly = true; break;
            case "--source-only": r.SourceOnly = true; break;
            case "--rpm_safe_upgrade": r.RpmSafeUpgrade = true; break;
            case "--symlink-modules": r.SymlinkModules = true; break;
            case "--modprobe-on-install": r.ModprobeOnInstall = true; break;
            case "--debug": r.Debug = true; break;
            default:
                if (option.Origin == OptionOrigin.Deprecated)
                {
                    r.Warnings.Add($"Deprecated feature: {option.Name}");
                    break;
                }

                return false;
        }

        return true;
    }

    private static void Positional(DkmsArguments r, string word)
    {
        if (Verbs.Verbs.Find(word) is not null)
        {
            r.Actions.Add(word);
        }
        else if (File.Exists(word) && word.EndsWith("dkms.conf", StringComparison.Ordinal))
        {
            r.SourcePath = Path.GetDirectoryName(Path.GetFullPath(word));
            r.ConfFile ??= null;
        }
        else if (Directory.Exists(word) && File.Exists(Path.Combine(word, "dkms.conf")))
        {
            r.SourcePath = Path.GetFullPath(word);
        }
        else if (File.Exists(word))
        {
            r.ArchivePath = Path.GetFullPath(word);
        }
        else if (r.Module is null)
        {
            var slash = word.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                r.Module = word[..slash];
                r.Version = word[(slash + 1)..];
            }
            else
            {
                r.Module = word;
            }
        }
        else
        {
            r.Warnings.Add($"Warning: I do not know how to handle {word}.");
        }
    }
}
