using Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;

namespace Dkms.Daemon.Authorization;

/// <summary>The credentials of the connection a call came in on.</summary>
internal static class CallerAccessor
{
    public static CallerCredentials? Get(ServerCallContext context)
    {
        // HTTP/2 stream features fall back to the connection's, where the middleware stored them.
        var features = context.GetHttpContext().Features;
        if (features.Get<IPeerCredentialsFeature>() is { } feature)
        {
            return feature.Credentials;
        }

        return features.Get<IConnectionSocketFeature>()?.Socket is { } socket ? PeerCredentials.Get(socket) : null;
    }
}
