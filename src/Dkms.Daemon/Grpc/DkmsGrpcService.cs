using Dkms.Core.Actions;
using Dkms.Core.Platform;
using Dkms.Daemon.Authorization;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Dkms.Protocol.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Grpc;

/// <summary>
/// The <c>dkms.v1.Dkms</c> service. Phase 1 answers GetInfo and Status; every other method is the
/// generated base's UNIMPLEMENTED, reached only after the authorization interceptor let the call through.
/// </summary>
internal sealed class DkmsGrpcService(DaemonContext daemon, AuthorizationPolicy policy, IOptions<DaemonOptions> options,
    TimeProvider time) : Protocol.V1.Dkms.DkmsBase
{
    /// <summary>The dkms release whose behaviour and output the engine reproduces.</summary>
    public const string CompatibleDkmsVersion = "dkms-3.0.10";

    public override Task<GetInfoResponse> GetInfo(GetInfoRequest request, ServerCallContext context)
    {
        var settings = daemon.Settings;
        var caller = CallerAccessor.Get(context);
        return Task.FromResult(new GetInfoResponse
        {
            Version = DkmsEngine.ToolVersion,
            CompatibleDkmsVersion = CompatibleDkmsVersion,
            Trees = new Trees
            {
                DkmsTree = settings.DkmsTree,
                SourceTree = settings.SourceTree,
                InstallTree = settings.InstallTree,
                FrameworkConf = settings.FrameworkConf,
            },
            Workers = (uint)options.Value.Workers,
            RunningKernel = SystemInfo.RunningKernel(),
            Arch = SystemInfo.MachineArch(),
            StartedAt = Timestamp.FromDateTimeOffset(daemon.StartedAt),
            Pid = Environment.ProcessId,
            SocketActivated = daemon.SocketActivated,
            Caller = ProtoMapping.ToProto(caller, policy.MayModify(caller)),
        });
    }

    public override async Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        var response = new StatusResponse();
        var capture = OutputCapture.Into(response.Lines, time);
        var engine = new DkmsEngine(daemon.Settings, capture.Output, daemon.ConfCache);
        var kernels = request.Kernels.Count > 0 ? ProtoMapping.Targets(request.Kernels) : null;
        var entries = await engine.StatusAsync(NullIfEmpty(request.Module), NullIfEmpty(request.Version), kernels,
            ct: context.CancellationToken).ConfigureAwait(false);

        // The same lines, in the same order and streams, as dkmsctl's in-process status.
        response.Entries.Add(entries.Select(ProtoMapping.ToProto));
        engine.PrintStatus(entries);

        return response;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
