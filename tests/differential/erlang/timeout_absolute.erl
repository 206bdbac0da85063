%% Pins: absolute timeouts ({abs, true}) of all three kinds fire at the
%% given time on the clock of erlang:monotonic_time(millisecond), one in
%% the past fires at once, and {abs, false} is a relative timeout.
-module(timeout_absolute).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, arm}}, {300, {cast, arm2}}, {500, {cast, past}},
      {600, {cast, abs_event}}],
     800}.

init(Args) ->
    put(base, diff_harness:attach(Args)),
    {ok, a, 0}.

callback_mode() -> state_functions.

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    Base = get(base),
    case {Type, Content} of
        {cast, arm} ->
            {keep_state, Data + 1,
             [{state_timeout, Base + 250, abs1, [{abs, true}]}]};
        {cast, arm2} ->
            {keep_state, Data + 1,
             [{{timeout, n}, Base + 450, abs2, [{abs, true}]},
              {timeout, 50, rel, [{abs, false}]}]};
        {cast, past} ->
            {keep_state, Data + 1,
             [{state_timeout, Base + 100, late, [{abs, true}]}]};
        {cast, abs_event} ->
            {keep_state, Data + 1,
             [{timeout, Base + 650, abs_ev, [{abs, true}]}]};
        _ ->
            {keep_state, Data + 1}
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
