using Dkms.Core.Platform;

namespace Dkms.Daemon.Signing;

internal static class SigningServiceCollectionExtensions
{
    /// <summary>The Secure Boot enrollment advice after builds (after the event bus: it subscribes to it).</summary>
    public static IServiceCollection AddEnrollmentAdvice(this IServiceCollection services)
    {
        services.AddSingleton(_ => SystemFacts.Host);
        services.AddSingleton<EnrollmentAdvisor>();
        services.AddHostedService(sp => sp.GetRequiredService<EnrollmentAdvisor>());
        return services;
    }
}
