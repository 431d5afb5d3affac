namespace Frugal.Models;

/// <summary>The chat formats Frugal knows. A template in a model file is recognised, never executed.</summary>
public enum ChatTemplateFamily
{
    /// <summary>The file has no template, or one that matches no known family.</summary>
    Unknown,

    /// <summary>TinyLlama / Zephyr: <c>&lt;|system|&gt;</c>, <c>&lt;|user|&gt;</c>, <c>&lt;|assistant|&gt;</c>, turns closed by EOS.</summary>
    Zephyr,

    /// <summary>Llama-2 chat: <c>[INST] ... [/INST]</c> with an optional <c>&lt;&lt;SYS&gt;&gt;</c> block.</summary>
    Llama2,

    /// <summary>ChatML: <c>&lt;|im_start|&gt;role ... &lt;|im_end|&gt;</c>.</summary>
    ChatML,
}
