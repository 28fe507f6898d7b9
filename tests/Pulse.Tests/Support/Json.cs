using System.Net.Http.Json;

namespace Pulse.Tests;

// In Pulse.Tests rather than Pulse.Tests.Support: JsonSchema.Net brings a global namespace 'Json',
// which would otherwise hide this class in every test file.
public static class Json
{
    public static readonly System.Text.Json.JsonSerializerOptions Options =
        Pulse.Api.Operations.OperationsExtensions.Configure(new System.Text.Json.JsonSerializerOptions());

    public static StringContent Body(string raw) => new(raw, System.Text.Encoding.UTF8, "application/json");

    public static JsonContent Of<T>(T value) => JsonContent.Create(value, options: Options);
}
