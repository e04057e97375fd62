using Dkms.Core.Actions;
using Dkms.Core.Commands;
using Dkms.Core.Platform;
using Dkms.Daemon.Settings;
using Dkms.Protocol;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Grpc;

/// <summary>
/// The Preflight RPC: the engine's preflight on the daemon's trees, its entries and the lines it printed on the way
/// (registry lines, say) in one answer, so that dkmsctl prints what it prints in-process.
/// </summary>
/// <remarks>
/// Not a job: nothing is installed and the tree's state does not change (a dry build runs in a scratch tree of its
/// own); the answer is the report. Cancelled with the call.
/// </remarks>
internal static class PreflightAnswer
{
    public static async Task<PreflightResponse> RunAsync(DaemonContext daemon, PreflightRequest request, CancellationToken ct)
    {
        var settings = daemon.Settings;
        var response = new PreflightResponse();
        var capture = OutputCapture.Into(response.Output, settings.Profile.Messages);
        var engine = new DkmsEngine(settings, capture.Output, daemon.ConfCache);
        var target = TargetSpec.Resolve(request.Kernel is { } k ? new TargetSpec(k.Kernel, k.Arch) : null, SystemInfo.RunningKernel());
        var options = ProtoMapping.ToCore(request.Options).Engine;
        var entries = await engine.PreflightAsync(target, new Core.Actions.ActionOptions
        {
            KernelSourceDir = options.KernelSourceDir,
            KernelConfig = options.KernelConfig,
        }, ct).ConfigureAwait(false);
        response.Entries.Add(entries.Select(ProtoMapping.ToProto));
        return response;
    }
}
