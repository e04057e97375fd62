using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Options;

internal static class OptionsServiceCollectionExtensions
{
    /// <summary>Binds <see cref="DaemonOptions"/> from configuration and validates it when the host starts.</summary>
    public static IServiceCollection AddDaemonOptions(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<DaemonOptions>, DaemonOptionsValidator>();
        services.AddOptions<DaemonOptions>().BindConfiguration(DaemonOptions.SectionName).ValidateOnStart();
        return services;
    }
}
