using Dkms.Cli.CommandLine;
using Dkms.Cli.Commands;
using Dkms.Core.Output;
using Dkms.Core.Status;
using Dkms.Protocol;
using Dkms.Protocol.V1;
using Grpc.Core;

namespace Dkms.Cli.Remote;

/// <summary><c>status</c> from dkmsd: the lines it answers with (as the in-process engine prints them), or <c>--json</c>.</summary>
internal static class RemoteStatus
{
    public static async Task<int> RunAsync(DaemonConnection daemon, DkmsArguments args, DkmsOutput output, TextWriter stdout, TextWriter stderr,
        CancellationToken ct)
    {
        var request = new StatusRequest
        {
            Module = args.Module ?? string.Empty,
            Version = args.Version ?? string.Empty,
            View = args.Json || args.Quiet ? StatusView.Entries : StatusView.Lines, // half the answer to move and parse
        };
        request.Kernels.Add(CommandBuilder.Targets(args).Where(k => k.Kernel.Length > 0).Select(t => ProtoMapping.ToProto(t)!));
        StatusResponse response;
        try
        {
            response = await daemon.Client.StatusAsync(request, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            return daemon.Report(e, stderr);
        }

        if (args.Json)
        {
            output.Line(StatusJson.Write(response.Entries.Select(ProtoMapping.ToCore).ToList()));
            return 0;
        }

        if (!args.Quiet)
        {
            foreach (var line in response.Lines)
            {
                var writer = line.Stream == OutputStream.Stderr ? stderr : stdout;
                await writer.WriteAsync(line.NoNewline ? line.Text : line.Text + "\n").ConfigureAwait(false);
            }
        }

        return 0;
    }
}
