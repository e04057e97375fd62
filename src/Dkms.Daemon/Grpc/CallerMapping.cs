using Dkms.Daemon.Authorization;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Daemon.Grpc;

/// <summary>The daemon's own conversions to the contract (the engine's are in <see cref="Protocol.ProtoMapping"/>).</summary>
internal static class CallerMapping
{
    public static V1.Caller ToProto(CallerCredentials? caller, bool mayModify) => caller is null
        ? new V1.Caller { MayModify = mayModify }
        : new V1.Caller { Uid = caller.Uid, Gid = caller.Gid, Pid = caller.Pid, MayModify = mayModify };
}
