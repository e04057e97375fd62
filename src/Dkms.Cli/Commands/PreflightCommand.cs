using System.Text;
using System.Text.Json;
using Dkms.Cli.CommandLine;
using Dkms.Core.Actions;
using Dkms.Core.Artifacts;
using Dkms.Core.Commands;

namespace Dkms.Cli.Commands;

/// <summary>
/// <c>preflight -k K</c>: before a package manager commits a kernel upgrade, what autoinstall would meet for each AUTOINSTALL
/// module (installed, cached, buildable, excluded, failing); exit 1 when any is failing.
/// </summary>
internal static class PreflightCommand
{
    public static async Task<int> RunAsync(DkmsEngine engine, DkmsArguments args, CancellationToken ct)
    {
        var target = TargetSpec.Resolve(CommandBuilder.Targets(args).FirstOrDefault(), engine.RunningKernel);
        var options = new ActionOptions { KernelSourceDir = args.KernelSourceDir, KernelConfig = args.KernelConfig };
        var entries = await engine.PreflightAsync(target, options, ct).ConfigureAwait(false);
        if (args.Json)
        {
            engine.Output.Line(Json(entries));
        }
        else
        {
            foreach (var e in entries)
            {
                engine.Output.Line(e.ToLine());
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
