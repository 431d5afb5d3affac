// An ASP.NET Core application that chats with a GGUF model in-process through Frugal: no HTTP hop
// to a model server, just an IChatClient from the container.
//
//   dotnet run --project samples/Frugal.Sample -- MODEL.gguf [--urls http://127.0.0.1:5005]
//   curl -s localhost:5005/ask -d '{"question":"What is a river?"}' -H 'content-type: application/json'
//   curl -N 'localhost:5005/ask/stream?question=What+is+a+river%3F'
using Frugal.DependencyInjection;
using Frugal.Inference;
using Microsoft.Extensions.AI;

if (args.Length == 0 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: Frugal.Sample MODEL.gguf [--urls http://127.0.0.1:5005]");
    return 2;
}

var builder = WebApplication.CreateBuilder(args[1..]);
// Settings in code; AddFrugal(builder.Configuration) binds the same tree (Model, Scheduler, ...) from appsettings.json instead.
builder.Services.AddFrugal(options =>
{
    options.Model.Path = args[0];
    options.Scheduler.MaxQueueDepth = 8;
});

var app = builder.Build();

app.MapGet("/ready", (EngineReadiness readiness) => readiness.State switch
{
    EngineLoadState.Loaded => Results.Ok("ready"),
    EngineLoadState.Failed => Results.Problem(readiness.FailureReason, statusCode: 503),
    _ => Results.Problem("loading", statusCode: 503),
});

// The whole answer at once, with the token counts.
app.MapPost("/ask", async (Question question, IChatClient chat, CancellationToken cancellationToken) =>
{
    var response = await chat.GetResponseAsync(question.Text, new ChatOptions { MaxOutputTokens = 200 }, cancellationToken);
    return Results.Ok(new Answer(response.Text, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount));
});

// The answer as it is written, as plain text.
app.MapGet("/ask/stream", async (string question, IChatClient chat, HttpResponse response, CancellationToken cancellationToken) =>
{
    response.ContentType = "text/plain; charset=utf-8";
    await foreach (var update in chat.GetStreamingResponseAsync(question, new ChatOptions { MaxOutputTokens = 200 }, cancellationToken))
    {
        await response.WriteAsync(update.Text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
});

await app.RunAsync();
return 0;

internal sealed record Question(string Text);

internal sealed record Answer(string Text, long? PromptTokens, long? CompletionTokens);
