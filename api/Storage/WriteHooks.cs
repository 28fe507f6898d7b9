namespace Pulse.Api.Storage;

/// <summary>
/// Something that must change in the same transaction as another feature's write, so it exists if
/// and only if that data does: analytics aggregates, the webhook outbox, the decision cache. Each
/// feature that raises events declares its own hook interface deriving from this one, next to the
/// event records it sends (<c>IDisplayHook</c> in Displays, <c>IResponseHook</c> in Responses,
/// <c>IPrivacyHook</c> in Privacy), and calls every registered hook inside the writer's
/// transaction, in registration order; a hook that throws rolls the whole command back.
/// </summary>
public interface IWriteHook;

/// <summary>The registered hooks of one kind, called in registration order; a feature's hook list derives from it.</summary>
public abstract class WriteHooks<THook>(IEnumerable<THook> hooks) where THook : IWriteHook
{
    readonly THook[] _hooks = hooks.ToArray();

    protected void Each(Action<THook> call)
    {
        foreach (var hook in _hooks)
            call(hook);
    }
}

public static class WriteHookRegistration
{
    /// <summary>
    /// Registers <paramref name="hook"/> (or one <typeparamref name="T"/> built by the container) as
    /// every hook interface it implements, so a class that handles displays and responses is one instance.
    /// </summary>
    public static IServiceCollection AddWriteHook<T>(this IServiceCollection services, T? hook = null) where T : class, IWriteHook
    {
        if (hook is null)
            services.AddSingleton<T>();
        else
            services.AddSingleton(hook);
        foreach (var contract in typeof(T).GetInterfaces().Where(i => i != typeof(IWriteHook) && typeof(IWriteHook).IsAssignableFrom(i)))
            services.AddSingleton(contract, sp => sp.GetRequiredService<T>());
        return services;
    }
}
