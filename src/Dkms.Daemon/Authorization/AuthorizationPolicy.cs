using System.Collections.Frozen;
using Dkms.Daemon.Options;
using Dkms.Protocol.V1;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Authorization;

/// <summary>
/// Who may call what: methods the contract marks <c>NO_SIDE_EFFECTS</c> are open to every local user;
/// every other method (including ones this daemon does not know) needs uid 0 or the admin group.
/// </summary>
internal sealed class AuthorizationPolicy(IOptions<DaemonOptions> options)
{
    /// <summary>The read-only methods, as gRPC full names (<c>/dkms.v1.Dkms/Status</c>), taken from the proto itself.</summary>
    public static readonly FrozenSet<string> ReadOnlyMethods = DkmsReflection.Descriptor.Services
        .SelectMany(s => s.Methods)
        .Where(m => m.GetOptions()?.IdempotencyLevel == MethodOptions.Types.IdempotencyLevel.NoSideEffects)
        .Select(m => $"/{m.Service.FullName}/{m.Name}")
        .ToFrozenSet(StringComparer.Ordinal);

    private readonly uint? _adminGid = options.Value.AdminGid;

    public static bool IsReadOnly(string method) => ReadOnlyMethods.Contains(method);

    /// <summary>True when <paramref name="caller"/> may run actions.</summary>
    public bool MayModify(CallerCredentials? caller) =>
        caller is not null && (caller.IsRoot || _adminGid is { } gid && caller.IsInGroup(gid));

    /// <summary>True when <paramref name="caller"/> may call <paramref name="method"/>; unknown callers only read.</summary>
    public bool IsAllowed(CallerCredentials? caller, string method) => IsReadOnly(method) || MayModify(caller);
}
