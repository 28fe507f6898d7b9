using Pulse.Api.Storage;
using Pulse.Api.Webhooks;

namespace Pulse.Api.Email;

public static class EmailServices
{
    /// <summary>The key of the email dispatcher's own wake-up signal.</summary>
    public const string Key = "email";

    /// <summary>The outbox write hook, the SMTP sender, the dispatcher, the digest scheduler and survey emails with their fallback job.</summary>
    public static IHostApplicationBuilder AddPulseEmail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EmailStore>();
        services.AddSingleton<EmailLinks>();
        services.AddKeyedSingleton<WebhookSignal>(Key);
        services.AddSingleton<EmailSender>();
        services.AddSingleton<DigestBuilder>();
        services.AddWriteHook<EmailOutbox>();
        services.AddSingleton<EmailDispatcher>();
        services.AddSingleton<DigestScheduler>();
        services.AddSingleton<SurveyEmails>();
        services.AddSingleton<SurveyEmailFallback>();
        // After storage, so they start once migrations ran and stop before the writer drains.
        services.AddHostedService(sp => sp.GetRequiredService<EmailDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<DigestScheduler>());
        services.AddHostedService(sp => sp.GetRequiredService<SurveyEmailFallback>());
        return builder;
    }
}
