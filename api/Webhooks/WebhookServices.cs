using Pulse.Api.Storage;

namespace Pulse.Api.Webhooks;

public static class WebhookServices
{
    /// <summary>Subscriptions, the outbox write hook, the SSRF guard and the background dispatcher.</summary>
    public static IHostApplicationBuilder AddPulseWebhooks(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookTargetGuard>();
        services.AddSingleton<WebhookSender>();
        services.AddWriteHook<WebhookOutbox>();
        services.AddSingleton<WebhookDispatcher>();
        // After storage, so it starts once migrations ran and stops before the writer drains.
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return builder;
    }
}
