using System.Collections.Frozen;
using Dkms.Daemon.Options;
using Dkms.Protocol.V1;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Options;
using HealthService = Grpc.Health.V1.Health;
using ReflectionV1 = Grpc.Reflection.V1.ServerReflection;
using ReflectionV1Alpha = Grpc.Reflection.V1Alpha.ServerReflection;

namespace Dkms.Daemon.Authorization;

/// <summary>
/// Who may call what: methods the contract marks <c>NO_SIDE_EFFECTS</c>, and the standard health and
/// reflection services, are open to every local user; every other method (including ones this daemon
/// does not know) needs uid 0 or the admin group.
/// </summary>
internal sealed class AuthorizationPolicy(IOptions<DaemonOptions> options)
{
    /// <summary>The read-only methods, as gRPC full names (<c>/dkms.v1.Dkms/Status</c>), taken from the proto itself.</summary>
    public static readonly FrozenSet<string> ReadOnlyMethods = DkmsReflection.Descriptor.Services
        .SelectMany(s => s.Methods)
        .Where(m => m.GetOptions()?.IdempotencyLevel == MethodOptions.Types.IdempotencyLevel.NoSideEffects)
        .Select(FullName)
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Every method of grpc.health.v1.Health and of server reflection (v1 and v1alpha), from their descriptors.
    /// </summary>
    /// <remarks>They only describe the daemon (is it serving, which services and messages it has), like the
    /// reads; their protos carry no idempotency option to read it from.</remarks>
    public static readonly FrozenSet<string> StandardServiceMethods = new[]
        {
            HealthService.Descriptor, ReflectionV1.Descriptor, ReflectionV1Alpha.Descriptor,
        }
        .SelectMany(s => s.Methods)
        .Select(FullName)
        .ToFrozenSet(StringComparer.Ordinal);

    private readonly uint? _adminGid = options.Value.AdminGid;

    /// <summary>True when every local user may call <paramref name="method"/>.</summary>
    public static bool IsOpen(string method) => ReadOnlyMethods.Contains(method) || StandardServiceMethods.Contains(method);

    /// <summary>True when <paramref name="caller"/> may run actions.</summary>
    public bool MayModify(CallerCredentials? caller) =>
        caller is not null && (caller.IsRoot || _adminGid is { } gid && caller.IsInGroup(gid));

    /// <summary>True when <paramref name="caller"/> may call <paramref name="method"/>; unknown callers only read.</summary>
    public bool IsAllowed(CallerCredentials? caller, string method) => IsOpen(method) || MayModify(caller);

    private static string FullName(MethodDescriptor method) => $"/{method.Service.FullName}/{method.Name}";
}
