using System.Text;
using System.Text.Json;
using Dkms.Cli.CommandLine;
using Dkms.Cli.Remote;
using Dkms.Core.Actions;
using Dkms.Core.Artifacts;
using Dkms.Core.Commands;
using Dkms.Core.Output;
using Dkms.Protocol;
using V1 = Dkms.Protocol.V1;
using Grpc.Core;

namespace Dkms.Cli.Commands;

/// <summary>
/// <c>preflight -k K</c>: before a package manager commits a kernel upgrade, what autoinstall would meet for each AUTOINSTALL
/// module (installed, cached, buildable, excluded, failing); exit 1 when any is failing. Through dkmsd's Preflight RPC when it
/// answers, in-process otherwise; the same lines either way.
/// </summary>
internal static class PreflightCommand
{
    /// <summary>What dkmsd.service's PrivateTmp= and ProtectHome= replace or hide from the daemon.</summary>
    private static readonly string[] HiddenPlaces = ["/tmp", "/var/tmp", "/home", "/root", "/run/user"];

    /// <summary>The engine in this process (<c>--offline</c>, no daemon, or headers only this caller sees).</summary>
    public static async Task<int> RunAsync(DkmsEngine engine, DkmsArguments args, CancellationToken ct)
    {
        var target = TargetSpec.Resolve(CommandBuilder.Targets(args).FirstOrDefault(), engine.RunningKernel);
        var options = new Core.Actions.ActionOptions { KernelSourceDir = args.KernelSourceDir, KernelConfig = args.KernelConfig };
        var entries = await engine.PreflightAsync(target, options, ct).ConfigureAwait(false);
        return Print(entries, args, engine.Output);
    }

    /// <summary>
    /// Through dkmsd: the lines its engine printed on the way (to stderr, as they were), then the entries as in-process.
    /// Null when this dkmsd has no Preflight (an older one) or went away: the caller runs it in-process.
    /// </summary>
    public static async Task<int?> RunRemoteAsync(DaemonConnection daemon, DkmsArguments args, DkmsOutput output, TextWriter stderr,
        CancellationToken ct)
    {
        var request = new V1.PreflightRequest
        {
            Options = new V1.ActionOptions
            {
                // Absolute: dkmsd resolves them in its own view (the caller checked it sees the same files there).
                KernelSourceDir = args.KernelSourceDir is { } dir ? Path.GetFullPath(dir) : string.Empty,
                KernelConfig = args.KernelConfig is { } config ? Path.GetFullPath(config) : string.Empty,
            },
        };
        if (CommandBuilder.Targets(args).FirstOrDefault() is { } target)
        {
            request.Kernel = new V1.KernelTarget { Kernel = target.Kernel, Arch = target.Arch };
        }

        V1.PreflightResponse response;
        try
        {
            response = await daemon.Client.PreflightAsync(request, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested && (e.StatusCode == StatusCode.Unimplemented || DaemonConnection.IsLostDaemon(e)))
        {
            return null;
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            return daemon.Report(e, stderr);
        }

        foreach (var line in response.Output)
        {
            var text = line.NoNewline ? line.Text : line.Text + "\n";
            if (line.Stream == V1.OutputStream.Stderr)
            {
                output.ErrText(text);
            }
            else
            {
                output.Text(text);
            }
        }

        return Print(response.Entries.Select(ProtoMapping.ToCore).ToList(), args, output);
    }

    /// <summary>
    /// True when dkmsd would read the same headers and config as this caller: none named, or none under the places its unit
    /// hides or replaces (PrivateTmp=, ProtectHome=).
    /// </summary>
    public static bool DaemonSeesPaths(DkmsArguments args) =>
        new[] { args.KernelSourceDir, args.KernelConfig }.All(p => p is null || !HiddenFromDaemon(Path.GetFullPath(p)));

    private static bool HiddenFromDaemon(string path) =>
        HiddenPlaces.Any(d => path == d || path.StartsWith(d + "/", StringComparison.Ordinal));

    private static int Print(IReadOnlyList<PreflightEntry> entries, DkmsArguments args, DkmsOutput output)
    {
        if (args.Json)
        {
            output.Line(Json(entries));
        }
        else
        {
            foreach (var e in entries)
            {
                output.Line(e.ToLine());
            }
        }

        return entries.Any(e => e.Verdict == PreflightVerdict.Failing) ? 1 : 0;
    }

    private static string Json(IReadOnlyList<PreflightEntry> entries)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("module", e.Module);
                w.WriteString("version", e.Version);
                w.WriteString("verdict", e.VerdictName);
                if (e.ContentKey is not null)
                {
                    w.WriteString("content_key", e.ContentKey);
                }

                w.WriteString("detail", e.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
